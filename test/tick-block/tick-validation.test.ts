import { createValidator } from "@bufbuild/protovalidate";
import { describe, expect, it } from "vitest";
import { type AccountType, type Tick, TickSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { blockFromTicks } from "../../src/tick-block/proto-codec.js";
import { TickValidator } from "../../src/tick-block/tick-validation.js";
import { tick } from "../harness/ticks.js";

/**
 * The ingest path checks ticks by hand for speed; the proto's protovalidate rules are the
 * documented contract. Every case here must be judged the same way by both.
 */
const cases: [string, Partial<Omit<Tick, "$typeName">>][] = [
  ["valid", {}],
  ["empty symbol", { symbol: "" }],
  ["symbol too long", { symbol: "A".repeat(33) }],
  ["symbol at max length", { symbol: "A".repeat(32) }],
  ["symbol with space", { symbol: "EUR USD" }],
  ["symbol with quote", { symbol: "EUR'USD" }],
  ["symbol with NUL", { symbol: "EUR\u0000" }],
  ["symbol with suffix", { symbol: "XAUUSD.m#1" }],
  ["symbol starting with dot", { symbol: ".EURUSD" }],
  ["broker with space", { broker: "IC Markets-Live" }],
  ["broker with backslash", { broker: "IC\\Markets" }],
  ["broker too long", { broker: "B".repeat(65) }],
  ["empty broker", { broker: "" }],
  ["account type unset", { accountType: 0 }],
  ["account type unknown", { accountType: 9 as AccountType }],
  ["time zero", { timeMsc: 0n }],
  ["negative time", { timeMsc: -5n }],
  ["bid NaN", { bid: Number.NaN }],
  ["bid infinite", { bid: Number.POSITIVE_INFINITY, ask: Number.POSITIVE_INFINITY }],
  ["bid zero", { bid: 0 }],
  ["ask negative", { ask: -1 }],
  ["bid above ask", { bid: 1.2, ask: 1.1 }],
  ["bid equals ask", { bid: 1.1, ask: 1.1 }],
  ["last negative", { last: -0.1 }],
  ["last NaN", { last: Number.NaN }],
  ["volume negative", { volume: -1 }],
  ["volume infinite", { volume: Number.POSITIVE_INFINITY }],
];

describe("hand-written tick validation agrees with the proto's protovalidate rules", () => {
  const proto = createValidator();
  // The time window and volume bound are service configuration, beyond the proto's rules.
  const fast = new TickValidator({ timeWindowMs: Number.MAX_SAFE_INTEGER, maxVolume: Number.MAX_VALUE });

  for (const [name, overrides] of cases) {
    it(name, () => {
      const t = tick(overrides);
      const protoFields = proto.validate(TickSchema, t).kind === "valid" ? [] : ["invalid"];
      const fastFields = fast.validate(blockFromTicks([t]), (i, f) => `[${i}].${f}`, Date.now());
      expect(fastFields.length > 0).toBe(protoFields.length > 0);
    });
  }

  it("names the tick index and field of every violation", () => {
    const block = blockFromTicks([tick(), tick({ bid: -1 }), tick({ symbol: "bad symbol", volume: -1 })]);
    const v = fast.validate(block, (i, f) => `batch.rows.ticks[${i}].${f}`);
    expect(v.map((x) => [x.index, x.field])).toEqual([
      [1, "batch.rows.ticks[1].bid"],
      [2, "batch.rows.ticks[2].symbol"],
      [2, "batch.rows.ticks[2].volume"],
    ]);
  });

  it("rejects ticks outside the configured time window and above the volume bound", () => {
    const strict = new TickValidator({ timeWindowMs: 60_000, maxVolume: 100 });
    const now = Date.now();
    const v = strict.validate(
      blockFromTicks([tick({ timeMsc: BigInt(now - 120_000) }), tick({ timeMsc: BigInt(now + 120_000) }), tick({ volume: 101 }), tick({ timeMsc: BigInt(now) })]),
      (i, f) => `${i}.${f}`,
      now,
    );
    expect(v.map((x) => x.field)).toEqual(["0.time_msc", "1.time_msc", "2.volume"]);
  });
});
