import { create, toBinary, toJson } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TickSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import type { TickRow } from "../../src/ports/tick-store.js";
import { toProtoTick } from "../../src/tick-block/proto-codec.js";

describe("toProtoTick", () => {
  const rows: TickRow[] = [
    { symbol: "EURUSD", broker: "ICMarkets", accountType: 2, timeMsc: 1_733_000_000_123, bid: 1.0842, ask: 1.08423, last: 0, volume: 1.5, flags: 6 },
    { symbol: "", broker: "", accountType: 0, timeMsc: 0, bid: 0, ask: 0, last: 0, volume: 0, flags: 0 },
    { symbol: "ÉÜ€", broker: "b", accountType: 255, timeMsc: Number.MAX_SAFE_INTEGER, bid: -0, ask: Number.NaN, last: Number.POSITIVE_INFINITY, volume: Number.MIN_VALUE, flags: 0xffffffff },
  ];

  it("makes the message create() makes: the same fields and values, bytes and JSON", () => {
    for (const r of rows) {
      const expected = create(TickSchema, { ...r, timeMsc: BigInt(r.timeMsc) });
      const tick = toProtoTick(r);
      // toEqual, not protobuf's equals(): NaN is equal to itself here, and -0 is not 0.
      expect(tick).toEqual(expected);
      expect(Buffer.from(toBinary(TickSchema, tick)).equals(Buffer.from(toBinary(TickSchema, expected)))).toBe(true);
      expect(toJson(TickSchema, tick)).toEqual(toJson(TickSchema, expected));
      expect(Object.keys(tick).sort()).toEqual(Object.keys(expected).sort());
    }
  });
});
