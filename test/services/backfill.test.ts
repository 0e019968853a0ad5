import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackfillService } from "../../gen/neliti/dataplane/v1/ops_pb.js";
import { TickService, Timeframe } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { PATTERN_COLLECTION, RECIPE } from "../../src/domain/patterns.js";
import { inMemoryApp, type TestApp } from "../harness/app.js";
import { ingestDurable, tick } from "../harness/ticks.js";

const MINUTE = 60_000;
const DAY = 86_400_000;

describe("BackfillPatterns (embedded): cached bars and pattern vectors from stored history", () => {
  let t: TestApp;
  let backfill: Client<typeof BackfillService>;
  let ticks: Client<typeof TickService>;
  // Two and a half days of M1 bars, one tick each, ending two minutes ago.
  const end = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * MINUTE;
  const from = Math.floor((end - 2.5 * DAY) / MINUTE) * MINUTE;
  const bars = (end - from) / MINUTE;
  // An explicit end: the chunk count does not depend on when the test runs.
  const range = { symbol: "BF", timeframe: Timeframe.M1, startTimeMsc: BigInt(from), endTimeMsc: BigInt(end) };
  /** The windows the backfill stored for BF, by a search that returns every one of them. */
  const stored = async () => {
    const hits = await t.backends.vectors.search(PATTERN_COLLECTION.name, {
      vector: new Float32Array(34).fill(1),
      limit: 10_000,
      maxDistance: undefined,
      filters: [{ property: "symbol", op: "eq", value: "BF" }],
    });
    return hits.map((h) => h.record.properties);
  };

  beforeAll(async () => {
    t = await inMemoryApp();
    backfill = t.client(BackfillService);
    ticks = t.client(TickService);
    const list = Array.from({ length: bars }, (_, k) => {
      const bid = 1.1 + 0.01 * Math.sin(k / 7) + 0.002 * Math.cos(k / 2.3);
      return tick({ symbol: "BF", timeMsc: BigInt(from + k * MINUTE + 500), bid, ask: bid + 0.0002 });
    });
    for (let i = 0; i < list.length; i += 1000) await ingestDurable(ticks, `bf-${i}`, list.slice(i, i + 1000));
  });
  afterAll(async () => t.close());

  it("streams progress a chunk at a time; stops when asked; a rerun resumes there; every window is stored once, with its outcome where known", async () => {
    const abort = new AbortController();
    const first = [];
    try {
      for await (const p of backfill.backfillPatterns(range, { signal: abort.signal })) {
        first.push(p);
        abort.abort();
      }
    } catch {
      // cancelled after the first chunk
    }
    expect(first).toHaveLength(1);
    expect(first[0]!.chunksDone).toBe(1);
    // One chunk per UTC day the range touches.
    const chunks = Math.floor((end - 1) / DAY) - Math.floor(from / DAY) + 1;
    expect(first[0]!.chunks).toBe(chunks);
    const stoppedAt = first[0]!.doneUpToTimeMsc;

    const rest = [];
    for await (const p of backfill.backfillPatterns(range)) rest.push(p);
    expect(rest[0]!.resumedAtTimeMsc).toBe(stoppedAt);
    expect(rest.at(-1)).toMatchObject({ chunksDone: chunks, chunks });

    // Windows end with bars 32 .. bars-1 (the last closed); each once, outcomes known but for the last `horizon`.
    const all = await stored();
    expect(all).toHaveLength(bars - 32);
    expect(new Set(all.map((p) => p.window_end)).size).toBe(bars - 32);
    expect(all.filter((p) => p.outcome_known === false)).toHaveLength(RECIPE.horizon);

    // A rerun from the same start redoes only the windows still waiting for an outcome; one with restart redoes all.
    const again = [];
    for await (const p of backfill.backfillPatterns(range)) again.push(p);
    // Progress counts are the run's totals so far: the last message has the run's.
    expect(again.at(-1)!.patternsWritten).toBe(BigInt(RECIPE.horizon));
    const restarted = [];
    for await (const p of backfill.backfillPatterns({ ...range, restart: true })) restarted.push(p);
    expect(restarted.at(-1)!.patternsWritten).toBe(BigInt(bars - 32));
    expect(await stored()).toHaveLength(bars - 32);
  });

  it("leaves the ended days' bars in the cache: GetCandles over them reads cached chunks", async () => {
    const hits = async () => (await t.app.metrics.candleCacheChunks.get()).values.find((v) => v.labels.result === "hit")?.value ?? 0;
    const before = await hits();
    const { candles } = await ticks.getCandles({ symbol: "BF", timeframe: Timeframe.M1, startTimeMsc: BigInt(from), endTimeMsc: BigInt(end), limit: 100_000 });
    expect(candles).toHaveLength(bars);
    expect((await hits()) - before).toBeGreaterThanOrEqual(2);
  });

  it("refuses a range that ends before it starts and an unset timeframe, naming the field", async () => {
    const refused = async (req: Parameters<typeof backfill.backfillPatterns>[0]) => {
      try {
        for await (const _ of backfill.backfillPatterns(req)) break;
      } catch (e) {
        return ConnectError.from(e);
      }
      throw new Error("accepted");
    };
    const backwards = await refused({ ...range, endTimeMsc: BigInt(from - 1) });
    expect(backwards.code).toBe(Code.InvalidArgument);
    expect(backwards.message).toContain("end_time_msc");
    const noTimeframe = await refused({ ...range, timeframe: Timeframe.UNSPECIFIED });
    expect(noTimeframe.code).toBe(Code.InvalidArgument);
    expect(noTimeframe.message).toContain("timeframe");
  });
});
