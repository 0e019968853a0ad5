import { performance } from "node:perf_hooks";
import { TickService, Timeframe } from "../gen/neliti/dataplane/v1/tick_pb.js";
import type { BarSeries } from "../src/domain/bars-from-ticks.js";
import { BARS_PER_PATTERN, PATTERN_COLLECTION, patternId, patternProperties, patternVector, RECIPE } from "../src/domain/patterns.js";
import type { CandleRow } from "../src/ports/tick-store.js";
import type { PropertyCondition, VectorRecord } from "../src/ports/vector-store.js";
import { inMemoryApp } from "../test/harness/app.js";
import { arg, machine, oneSeriesBlock, round, seededRandom, summarize } from "./lib.js";
import { exactTop10, measureSearch } from "./vector.js";

const MINUTE = 60_000;

/** M1 bars of a random walk whose volatility and drift change every few hundred bars: windows of many shapes. */
function walk(n: number, seed: number, startMsc: number): CandleRow[] {
  const random = seededRandom(seed);
  const bars: CandleRow[] = [];
  let price = 1.1;
  let vol = 1e-4;
  let drift = 0;
  for (let i = 0; i < n; i++) {
    if (i % 300 === 0) {
      vol = 2e-5 + random() * 3e-4;
      drift = (random() - 0.5) * vol;
    }
    const open = price;
    price *= Math.exp(drift + (random() + random() + random() - 1.5) * vol);
    bars.push({ openTimeMsc: startMsc + i * MINUTE, open, high: Math.max(open, price) * (1 + random() * vol), low: Math.min(open, price) * (1 - random() * vol), close: price, volume: 0, tickCount: 1 });
  }
  return bars;
}

/** The pattern of every window of `bars`, as the writer stores them. */
function patternsOf(series: BarSeries, bars: readonly CandleRow[]): VectorRecord[] {
  const out: VectorRecord[] = [];
  for (let end = BARS_PER_PATTERN; end <= bars.length; end++) {
    const last = bars[end - 1]!;
    const windowEndMsc = last.openTimeMsc + MINUTE;
    out.push({ id: patternId(series, windowEndMsc), vector: patternVector(bars.slice(end - BARS_PER_PATTERN, end))!, properties: patternProperties(series, { windowEndMsc, lastClose: last.close, outcome: 0 }) });
  }
  return out;
}

/**
 * Similar-pattern search at 100,000 patterns of the recipe: recall@10 against exact search and
 * latency, for a service on the embedded HNSW store and one on Weaviate (over gRPC), each in the
 * bench's process behind the in-memory transport: its vector store searched directly with
 * FindSimilarPatterns' filters, then the whole FindSimilarPatterns call (validation, the query
 * window's bars from the tick store, the search) in four shapes, after 20 unmeasured calls. The
 * store must hold no other M1 patterns of the recipe (a fresh stack's does not). The baseline is
 * the exact search itself.
 */
export async function run() {
  const n = arg("patterns", 100_000);
  const queries = arg("queries", 500);
  const library: BarSeries = { symbol: "LIBRARY", broker: undefined, timeframeMs: MINUTE, price: "bid" };
  const libraryBars = walk(n + BARS_PER_PATTERN - 1, 11, Date.UTC(2020, 0, 1));
  const records = patternsOf(library, libraryBars);
  // Query windows from another walk, ending well before now: their bars go into the tick store as
  // one tick a bar, so each is flat (open = high = low = close), as the service will read it back.
  const queryBars = walk(queries + BARS_PER_PATTERN - 1, 12, Math.floor(Date.now() / MINUTE) * MINUTE - 2 * 86_400_000).map((b) => ({ ...b, open: b.close, high: b.close, low: b.close }));
  const qs = Array.from({ length: queries }, (_, j) => patternVector(queryBars.slice(j, j + BARS_PER_PATTERN))!);
  const t0 = performance.now();
  const truth = exactTop10(records, qs);
  const exactMs = round((performance.now() - t0) / queries);
  console.log(`patterns bench: ${records.length} patterns of ${RECIPE.name} (${qs[0]!.length} components), ${queries} queries; ${machine()}`);
  console.log(`  exact search in the bench's process (baseline): ${exactMs} ms a query`);
  // FindSimilarPatterns' filters, and the library's symbol: a store may hold other patterns too.
  const filters: PropertyCondition[] = [
    { property: "recipe", op: "eq", value: RECIPE.name },
    { property: "timeframe_ms", op: "eq", value: MINUTE },
    { property: "symbol", op: "eq", value: library.symbol },
  ];

  // The four shapes of a call: the symbols named (the query's own not among them, so no room is
  // asked for its overlapping windows), every symbol, a range of window ends (the middle half of
  // the library, its own truth), and the library's own windows searched among every symbol (its
  // overlapping windows left out of the truth as the service leaves them out).
  const windowEnd = (r: VectorRecord) => r.properties.window_end as number;
  const from = windowEnd(records[Math.floor(records.length / 4)]!);
  const to = windowEnd(records[Math.floor((3 * records.length) / 4)]!);
  const queryAt = queryBars.slice(BARS_PER_PATTERN - 1).map((b) => b.openTimeMsc + MINUTE);
  // Own windows spread over the library; the service reads them from one tick a bar, so flat too.
  const flatLibrary = libraryBars.map((b) => ({ ...b, open: b.close, high: b.close, low: b.close }));
  const ownEnds = Array.from({ length: queries }, (_, j) => BARS_PER_PATTERN + Math.floor((j * (n - 2 * BARS_PER_PATTERN)) / queries));
  const ownAt = ownEnds.map((e) => libraryBars[e - 1]!.openTimeMsc + MINUTE);
  const ownTruth = ownEnds.map((e, j) => {
    const end = ownAt[j]!;
    const apart = records.filter((r) => windowEnd(r) <= end - RECIPE.window * MINUTE || windowEnd(r) >= end + RECIPE.window * MINUTE);
    return exactTop10(apart, [patternVector(flatLibrary.slice(e - BARS_PER_PATTERN, e))!])[0]!;
  });
  const cases = [
    { name: "symbols named", symbol: "QUERY", at: queryAt, request: { symbols: [library.symbol] }, truth },
    { name: "every symbol", symbol: "QUERY", at: queryAt, request: {}, truth },
    { name: "symbols named, window-end range", symbol: "QUERY", at: queryAt, request: { symbols: [library.symbol], startTimeMsc: BigInt(from), endTimeMsc: BigInt(to) }, truth: exactTop10(records.filter((r) => windowEnd(r) >= from && windowEnd(r) < to), qs) },
    { name: "own series among every symbol", symbol: library.symbol, at: ownAt, request: {}, truth: ownTruth },
  ];

  /** One service (in process, in-memory transport): its store searched directly, then the whole RPC in each shape. */
  const measure = async (name: string, env: Record<string, string>) => {
    const t = await inMemoryApp(env);
    try {
      const store = (await measureSearch(`${name} store, limit 10`, t.backends.vectors, PATTERN_COLLECTION, records, qs, truth, filters)).result;
      // The query walk's bars in the service's tick store: FindSimilarPatterns builds each query window from them.
      const times = Float64Array.from(queryBars, (b) => b.openTimeMsc + 1000);
      await t.backends.ticks.insert("pattern-bench-query", oneSeriesBlock("QUERY", times, Float64Array.from(queryBars, (b) => b.close), new Float64Array(queryBars.length)));
      const libraryTimes = Float64Array.from(libraryBars, (b) => b.openTimeMsc + 1000);
      await t.backends.ticks.insert("pattern-bench-library", oneSeriesBlock(library.symbol, libraryTimes, Float64Array.from(libraryBars, (b) => b.close), new Float64Array(libraryBars.length)));
      const client = t.client(TickService);
      // Warm-up calls, not measured: the first calls pay for compiling the path and opening the collection.
      for (let j = 0; j < 20; j++) await client.findSimilarPatterns({ symbol: "QUERY", timeframe: Timeframe.M1, atTimeMsc: BigInt(queryBars[j + BARS_PER_PATTERN - 1]!.openTimeMsc + MINUTE), k: 10 });
      const rpc: Record<string, { latencyMs: ReturnType<typeof summarize>; recallAt10: number }> = {};
      for (const c of cases) {
        const lat: number[] = [];
        let found = 0;
        for (let j = 0; j < queries; j++) {
          const started = performance.now();
          const { patterns } = await client.findSimilarPatterns({ symbol: c.symbol, timeframe: Timeframe.M1, atTimeMsc: BigInt(c.at[j]!), k: 10, ...c.request });
          lat.push(performance.now() - started);
          const want = new Set(c.truth[j]);
          found += patterns.filter((p) => want.has(patternId(library, Number(p.windowEndTimeMsc)))).length;
        }
        rpc[c.name] = { latencyMs: summarize(lat), recallAt10: round(found / (queries * 10)) };
        console.log(`  FindSimilarPatterns, ${name}, ${c.name}: p50 ${rpc[c.name]!.latencyMs.p50} ms, p99 ${rpc[c.name]!.latencyMs.p99} ms; recall@10 ${rpc[c.name]!.recallAt10} (targets p99 <= 20 ms, recall >= 0.95)`);
      }
      // The library leaves a shared store as it found it.
      for (let i = 0; i < records.length; i += 1000) await t.backends.vectors.delete(PATTERN_COLLECTION.name, records.slice(i, i + 1000).map((r) => r.id));
      return { store, rpc, ratioToExactP50: round(rpc[cases[0]!.name]!.latencyMs.p50 / exactMs) };
    } finally {
      await t.close();
    }
  };

  const embedded = await measure("embedded HNSW", {});
  const url = process.env.WEAVIATE_URL;
  const overWeaviate = url ? await measure("Weaviate over gRPC", { WEAVIATE_URL: url, WEAVIATE_GRPC_PORT: process.env.WEAVIATE_GRPC_PORT ?? "50051", AUTH_JWT_SECRET: "b".repeat(32), AUTH_ENABLED: "false" }) : undefined;
  return { bench: "patterns", machine: machine(), date: new Date().toISOString(), patterns: records.length, queries, exactMsPerQuery: exactMs, embedded, weaviate: overWeaviate };
}
