import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import weaviate from "weaviate-client";
import { EmbeddedVectorStore } from "../src/backends/embedded/vector-store.js";
import { WeaviateVectorStore } from "../src/backends/weaviate/vector-store.js";
import { distance } from "../src/domain/vector-math.js";
import type { CollectionSpec, PropertyCondition, VectorRecord, VectorStore } from "../src/ports/vector-store.js";
import { uniqueSuffix } from "../test/harness/backends.js";
import { arg, machine, round, seededRandom, summarize } from "./lib.js";

/** The ids of the 10 records nearest each query by exact brute force: the truth recall is measured against. */
export function exactTop10(records: readonly VectorRecord[], qs: readonly Float32Array[]): string[][] {
  return qs.map((q) =>
    records
      .map((r) => ({ id: r.id, d: distance("cosine", q, r.vector) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 10)
      .map((x) => x.id),
  );
}

/** Loads `records` into a new collection of `store`, then searches each query: latency and recall@10. */
export async function measureSearch(
  name: string,
  store: VectorStore,
  spec: CollectionSpec,
  records: readonly VectorRecord[],
  qs: readonly Float32Array[],
  truth: readonly string[][],
  filters: readonly PropertyCondition[],
) {
  await store.ensureCollection(spec);
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += 1000) await store.upsert(spec.name, records.slice(i, i + 1000));
  const loadSeconds = round((performance.now() - t0) / 1000);
  const lat: number[] = [];
  let found = 0;
  for (const [i, q] of qs.entries()) {
    const t = performance.now();
    const hits = await store.search(spec.name, { vector: q, limit: 10, maxDistance: undefined, filters });
    lat.push(performance.now() - t);
    const want = new Set<string>(truth[i]);
    found += hits.filter((h) => want.has(h.record.id)).length;
  }
  const result = { loadSeconds, latencyMs: summarize(lat), recallAt10: round(found / (qs.length * 10)) };
  console.log(`  ${name}: load ${loadSeconds} s; search p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms; recall@10 ${result.recallAt10} (targets p99 <= 20 ms, recall >= 0.95)`);
  return { collection: spec.name, result };
}

/** Drops a bench collection from Weaviate (the adapter has no drop: the service never drops one). */
async function dropWeaviateCollection(url: string, grpcPort: number, collection: string): Promise<void> {
  const u = new URL(url);
  const admin = await weaviate.connectToCustom({ httpHost: u.hostname, httpPort: Number(u.port), grpcHost: u.hostname, grpcPort });
  await admin.collections.delete(collection);
  await admin.close();
}

/** Search latency and recall@10 against exact brute force computed in the same run, for both adapters. */
export async function run() {
  const n = arg("vectors", 100_000);
  const dim = arg("dim", 384);
  const queries = arg("queries", 200);
  const random = seededRandom(7);
  const rand = () => random() - 0.5;
  // Clustered data (like real embeddings): 200 centres plus noise.
  const centres = Array.from({ length: 200 }, () => Float32Array.from({ length: dim }, rand));
  const make = () => {
    const c = centres[Math.floor((rand() + 0.5) * centres.length)]!;
    return Float32Array.from(c, (x) => x + rand() * 0.3);
  };
  const records = Array.from({ length: n }, () => ({ id: randomUUID(), vector: make(), properties: {} }));
  const qs = Array.from({ length: queries }, make);
  const truth = exactTop10(records, qs);
  console.log(`vector bench: ${n} vectors of dimension ${dim}, ${queries} queries, recall@10 vs exact brute force; ${machine()}`);

  const measure = (name: string, store: VectorStore) => measureSearch(name, store, { name: `Bench${uniqueSuffix()}`, dimension: dim, metric: "cosine", properties: [] }, records, qs, truth, []);

  const out: Record<string, unknown> = {};
  const dir = await mkdtemp(join(tmpdir(), "neliti-vbench-"));
  const embedded = await EmbeddedVectorStore.open(dir);
  out.embedded = (await measure("embedded (HNSW, journaled)", embedded)).result;
  await embedded.close();
  const t0 = performance.now();
  await (await EmbeddedVectorStore.open(dir)).close();
  const reopenSeconds = round((performance.now() - t0) / 1000);
  console.log(`  embedded reopen (journal replay + index rebuild): ${reopenSeconds} s`);
  out.embeddedReopenSeconds = reopenSeconds;
  await rm(dir, { recursive: true, force: true });

  const url = process.env.WEAVIATE_URL;
  if (url) {
    const grpcPort = Number(process.env.WEAVIATE_GRPC_PORT ?? 50051);
    const store = await WeaviateVectorStore.open({ url, grpcPort, timeoutMs: 60_000 });
    const { collection, result } = await measure("weaviate (HNSW)", store);
    out.weaviate = result;
    await dropWeaviateCollection(url, grpcPort, collection);
    await store.close();
  }
  return { bench: "vector", machine: machine(), date: new Date().toISOString(), vectors: n, dimension: dim, queries, ...out };
}
