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
 * window's bars from the tick store, the search). The baseline is the exact search itself.
 */
export async function run() {
  const n = arg("patterns", 100_000);
  const queries = arg("queries", 200);
  const library: BarSeries = { symbol: "LIBRARY", broker: undefined, timeframeMs: MINUTE, price: "bid" };
  const records = patternsOf(library, walk(n + BARS_PER_PATTERN - 1, 11, Date.UTC(2020, 0, 1)));
  // Query windows from another walk, ending well before now: their bars go into the tick store.
  const queryBars = walk(queries + BARS_PER_PATTERN - 1, 12, Math.floor(Date.now() / MINUTE) * MINUTE - 2 * 86_400_000);
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

  /** One service (in process, in-memory transport): its store searched directly, then the whole RPC. */
  const measure = async (name: string, env: Record<string, string>) => {
    const t = await inMemoryApp(env);
    try {
      const store = (await measureSearch(`${name} store, limit 10`, t.backends.vectors, PATTERN_COLLECTION, records, qs, truth, filters)).result;
      // The query walk's bars in the service's tick store: FindSimilarPatterns builds each query window from them.
      const times = Float64Array.from(queryBars, (b) => b.openTimeMsc + 1000);
      await t.backends.ticks.insert("pattern-bench-query", oneSeriesBlock("QUERY", times, Float64Array.from(queryBars, (b) => b.close), new Float64Array(queryBars.length)));
      const client = t.client(TickService);
      const lat: number[] = [];
      let found = 0;
      for (let j = 0; j < queries; j++) {
        const at = queryBars[j + BARS_PER_PATTERN - 1]!.openTimeMsc + MINUTE;
        const started = performance.now();
        const { patterns } = await client.findSimilarPatterns({ symbol: "QUERY", timeframe: Timeframe.M1, atTimeMsc: BigInt(at), k: 10, symbols: [library.symbol] });
        lat.push(performance.now() - started);
        const want = new Set(truth[j]);
        found += patterns.filter((p) => want.has(patternId(library, Number(p.windowEndTimeMsc)))).length;
      }
      const rpc = { latencyMs: summarize(lat), recallAt10: round(found / (queries * 10)) };
      console.log(`  FindSimilarPatterns, ${name}: p50 ${rpc.latencyMs.p50} ms, p99 ${rpc.latencyMs.p99} ms; recall@10 ${rpc.recallAt10} (targets p99 <= 20 ms, recall >= 0.95)`);
      // The library leaves a shared store as it found it.
      for (let i = 0; i < records.length; i += 1000) await t.backends.vectors.delete(PATTERN_COLLECTION.name, records.slice(i, i + 1000).map((r) => r.id));
      return { store, rpc, ratioToExactP50: round(rpc.latencyMs.p50 / exactMs) };
    } finally {
      await t.close();
    }
  };

  const embedded = await measure("embedded HNSW", {});
  const url = process.env.WEAVIATE_URL;
  const overWeaviate = url ? await measure("Weaviate over gRPC", { WEAVIATE_URL: url, WEAVIATE_GRPC_PORT: process.env.WEAVIATE_GRPC_PORT ?? "50051", AUTH_JWT_SECRET: "b".repeat(32), AUTH_ENABLED: "false" }) : undefined;
  return { bench: "patterns", machine: machine(), date: new Date().toISOString(), patterns: records.length, queries, exactMsPerQuery: exactMs, embedded, weaviate: overWeaviate };
}
