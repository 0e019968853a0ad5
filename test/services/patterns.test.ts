import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FindSimilarPatternsRequest, TickService, Timeframe } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { RECIPE } from "../../src/domain/patterns.js";
import { inMemoryApp, type TestApp } from "../harness/app.js";
import { ingestDurable, tick } from "../harness/ticks.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PERIOD = 40;
/** A price path that repeats every PERIOD bars exactly, so windows PERIOD bars apart have one shape. */
const close = (k: number) => {
  const phase = (2 * Math.PI * (k % PERIOD)) / PERIOD;
  return 1.1 * (1 + 0.01 * Math.sin(phase) + 0.004 * Math.cos(3 * phase) + 0.002 * Math.sin(7 * phase));
};

type Request = Partial<Omit<FindSimilarPatternsRequest, "$typeName">>;

describe("pattern vectors written at bar close, and FindSimilarPatterns (embedded)", () => {
  let t: TestApp;
  let ticks: Client<typeof TickService>;
  // Bars in the future (ticks may be up to 7 days ahead): the clock never closes them mid-test.
  const P = Math.floor(Date.now() / HOUR) * HOUR + 3 * HOUR;
  const BARS = 90;
  const at = P + BARS * MINUTE - MINUTE; // the last bar (89) is still forming: the window ends with bar 88
  const find = (req: Request) => ticks.findSimilarPatterns({ symbol: "PAT", timeframe: Timeframe.M1, atTimeMsc: BigInt(at), ...req });

  beforeAll(async () => {
    t = await inMemoryApp({ PATTERN_SERIES: "PAT:M1,OTHER:H1" });
    ticks = t.client(TickService);
    await ingestDurable(
      ticks,
      "pattern-bars",
      Array.from({ length: BARS }, (_, k) => tick({ symbol: "PAT", timeMsc: BigInt(P + k * MINUTE + 1_000), bid: close(k), ask: close(k) + 0.0002 })),
    );
  });
  afterAll(async () => t.close());

  it("the window PERIOD bars earlier, of the same shape, is the nearest at distance 0, with its outcome", async () => {
    // The writer works after the ack: wait for the outcome of the window ending with bar 48 (known at bar 56's close).
    await expect
      .poll(async () => (await find({ k: 1 })).patterns[0]?.outcome, { timeout: 5_000 })
      .toBeCloseTo(close(48 + RECIPE.horizon) / close(48) - 1, 12);
    const { patterns, windowEndTimeMsc, recipe } = await find({ k: 3 });
    expect(recipe).toBe(RECIPE.name);
    expect(windowEndTimeMsc).toBe(BigInt(P + 89 * MINUTE));
    expect(patterns[0]).toMatchObject({ symbol: "PAT", broker: "", windowEndTimeMsc: BigInt(P + 49 * MINUTE), lastClose: close(48) });
    expect(patterns[0]!.distance).toBeLessThan(1e-6);
    expect(patterns[1]!.distance).toBeGreaterThan(1e-3);
  });

  it("each window is stored once; windows overlapping the query's are left out", async () => {
    // Patterns end with bars 32..88 (a window needs 33 bars); those ending with bars 57..88 share a bar with the query's.
    const { patterns } = await find({ k: 100 });
    const ends = patterns.map((p) => Number(p.windowEndTimeMsc - BigInt(P)) / MINUTE - 1);
    expect(ends.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => 32 + i));
    // Outcomes are known for windows whose horizon has closed (ending with bar 80 or before).
    expect(patterns.filter((p) => p.outcome === undefined)).toEqual([]);
  });

  it("naming the query's own symbol among others finds what searching every symbol finds", async () => {
    // The overlapping windows are the nearest of all: a search of PAT alone must look past them.
    const everySymbol = await find({ k: 5 });
    expect(everySymbol.patterns).toHaveLength(5);
    expect((await find({ k: 5, symbols: ["OTHER", "PAT"] })).patterns).toEqual(everySymbol.patterns);
  });

  it("filters: other symbols only, and a time range of window ends", async () => {
    expect((await find({ symbols: ["OTHER"] })).patterns).toEqual([]);
    const later = await find({ k: 100, startTimeMsc: BigInt(P + 50 * MINUTE) });
    expect(later.patterns.every((p) => p.windowEndTimeMsc >= BigInt(P + 50 * MINUTE))).toBe(true);
    expect(later.patterns.length).toBe(8);
    const earlier = await find({ k: 100, endTimeMsc: BigInt(P + 49 * MINUTE) });
    expect(earlier.patterns.every((p) => p.windowEndTimeMsc < BigInt(P + 49 * MINUTE))).toBe(true);
    expect(earlier.patterns.length).toBe(16);
  });

  it("a window without enough bars is FAILED_PRECONDITION; bad requests are INVALID_ARGUMENT naming the field", async () => {
    const failed = await find({ atTimeMsc: BigInt(P + 20 * MINUTE) }).catch((e: unknown) => ConnectError.from(e));
    expect(failed).toBeInstanceOf(ConnectError);
    expect((failed as ConnectError).code).toBe(Code.FailedPrecondition);
    const cases: [Request, string][] = [
      [{ k: 101 }, "k"],
      [{ symbols: Array.from({ length: 11 }, (_, i) => `S${i}`) }, "symbols"],
      [{ timeframe: Timeframe.UNSPECIFIED }, "timeframe"],
      [{ symbol: "" }, "symbol"],
      [{ symbols: ["bad symbol"] }, "symbols[0]"],
    ];
    for (const [req, field] of cases) {
      const err = await find(req).catch((e: unknown) => ConnectError.from(e));
      expect((err as ConnectError).code, field).toBe(Code.InvalidArgument);
      expect((err as ConnectError).message).toContain(field);
    }
  });
});
