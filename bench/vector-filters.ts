import { performance } from "node:perf_hooks";
import { EmbeddedVectorStore } from "../src/backends/embedded/vector-store.js";
import type { PropertyCondition } from "../src/ports/vector-store.js";
import { arg, machine, round, seededRandom, summarize } from "./lib.js";

/**
 * The embedded store's filtered search by how much of the collection an equality filter passes:
 * random vectors (34 components, the pattern recipe's size), properties that pass half, 10%, 5%,
 * 1% and nothing. The baseline is the unfiltered search in the same run.
 */
export async function run() {
  const n = arg("vectors", 100_000);
  const dimension = arg("dim", 34);
  const queries = arg("queries", 200);
  const random = seededRandom(1);
  const store = await EmbeddedVectorStore.open(undefined);
  const properties = (["half", "tenth", "twentieth", "hundredth"] as const).map((name) => ({ name, type: "int" as const }));
  await store.ensureCollection({ name: "FilterBench", dimension, metric: "cosine", properties });
  const every = [2, 10, 20, 100];
  for (let i = 0; i < n; i += 5000) {
    const batch = Array.from({ length: Math.min(5000, n - i) }, (_, j) => ({
      id: `00000000-0000-4000-8000-${String(i + j).padStart(12, "0")}`,
      vector: Float32Array.from({ length: dimension }, () => random() - 0.5),
      properties: Object.fromEntries(properties.map((p, k) => [p.name, (i + j) % every[k]!])),
    }));
    await store.upsert("FilterBench", batch);
  }
  const qs = Array.from({ length: queries }, () => Float32Array.from({ length: dimension }, () => random() - 0.5));
  const shapes: [string, PropertyCondition[]][] = [
    ["no filter (baseline)", []],
    ["passes 1/2", [{ property: "half", op: "eq", value: 1 }]],
    ["passes 1/10", [{ property: "tenth", op: "eq", value: 3 }]],
    ["passes 1/20", [{ property: "twentieth", op: "eq", value: 3 }]],
    ["passes 1/100", [{ property: "hundredth", op: "eq", value: 7 }]],
    ["passes nothing", [{ property: "hundredth", op: "eq", value: -1 }]],
  ];
  console.log(`vector-filters bench: embedded store, ${n} vectors of ${dimension} components, ${queries} queries at limit 10; ${machine()}`);
  const out: Record<string, { latencyMs: ReturnType<typeof summarize>; ratioToUnfilteredP50: number }> = {};
  let baseline = 0;
  for (const [name, filters] of shapes) {
    const search = (q: Float32Array) => store.search("FilterBench", { vector: q, limit: 10, maxDistance: undefined, filters });
    for (const q of qs.slice(0, 20)) await search(q); // warm-up
    const lat: number[] = [];
    for (const q of qs) {
      const t = performance.now();
      await search(q);
      lat.push(performance.now() - t);
    }
    const latencyMs = summarize(lat);
    if (filters.length === 0) baseline = latencyMs.p50;
    out[name] = { latencyMs, ratioToUnfilteredP50: round(latencyMs.p50 / baseline) };
    console.log(`  ${name}: p50 ${latencyMs.p50} ms, p99 ${latencyMs.p99} ms (${out[name]!.ratioToUnfilteredP50} x unfiltered)`);
  }
  await store.close();
  return { bench: "vector-filters", machine: machine(), date: new Date().toISOString(), vectors: n, dimension, queries, shapes: out };
}
