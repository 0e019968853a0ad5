import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedVectorStore } from "../../src/backends/embedded/vector-store.js";
import type { Metric, SearchQuery, VectorRecord } from "../../src/ports/vector-store.js";
import { seededRandom } from "../../bench/lib.js";

const DIMENSION = 48;
const COUNT = 4_000;

/** Clustered vectors, like embeddings, where near-ties make approximate search work for its recall. */
function dataset(seed: number) {
  const random = seededRandom(seed);
  const centres = Array.from({ length: 40 }, () => Float32Array.from({ length: DIMENSION }, () => random() - 0.5));
  const make = () => Float32Array.from(centres[Math.floor(random() * centres.length)]!, (x) => x + (random() - 0.5) * 0.3);
  const records: VectorRecord[] = Array.from({ length: COUNT }, (_, i) => ({ id: randomUUID(), vector: make(), properties: { bucket: i % 5 } }));
  return { records, queries: Array.from({ length: 50 }, make) };
}

describe.each<Metric>(["cosine", "l2-squared", "dot"])("embedded HNSW index against exact search (%s)", (metric) => {
  const { records, queries } = dataset(11);
  const collection = "Bench";
  let dir: string;
  let indexed: EmbeddedVectorStore;
  let exact: EmbeddedVectorStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "neliti-hnsw-"));
    indexed = await EmbeddedVectorStore.open(dir, { exactScanMax: 0 });
    exact = await EmbeddedVectorStore.open(undefined, { exactScanMax: Number.MAX_SAFE_INTEGER });
    for (const store of [indexed, exact]) {
      await store.ensureCollection({ name: collection, dimension: DIMENSION, metric, properties: [{ name: "bucket", type: "int" }] });
      for (let i = 0; i < records.length; i += 500) await store.upsert(collection, records.slice(i, i + 500));
    }
  });
  afterAll(async () => {
    await indexed?.close();
    await exact?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const recall = async (store: EmbeddedVectorStore, query: (v: Float32Array) => SearchQuery) => {
    let found = 0;
    let wanted = 0;
    for (const q of queries) {
      const truth = await exact.search(collection, query(q));
      const got = await store.search(collection, query(q));
      const ids = new Set(got.map((h) => h.record.id));
      found += truth.filter((h) => ids.has(h.record.id)).length;
      wanted += truth.length;
      // Re-scored exactly: a hit the index finds has the exact search's distance.
      for (const hit of got) {
        const same = truth.find((h) => h.record.id === hit.record.id);
        if (same) expect(hit.distance).toBe(same.distance);
      }
    }
    return found / wanted;
  };

  it("finds at least 95% of the exact top 10", async () => {
    expect(await recall(indexed, (vector) => ({ vector, limit: 10, maxDistance: undefined, filters: [] }))).toBeGreaterThanOrEqual(0.95);
  });

  it("applies filters inside the index search, returning only matching records", async () => {
    const query = (vector: Float32Array): SearchQuery => ({ vector, limit: 10, maxDistance: undefined, filters: [{ property: "bucket", op: "eq", value: 3 }] });
    expect(await recall(indexed, query)).toBeGreaterThanOrEqual(0.95);
    const hits = await indexed.search(collection, query(queries[0]!));
    expect(hits).toHaveLength(10);
    expect(hits.every((h) => h.record.properties.bucket === 3)).toBe(true);
  });

  it("forgets deleted records and finds replaced vectors at their new place", async () => {
    const top = (store: EmbeddedVectorStore, vector: Float32Array, limit: number) => store.search(collection, { vector, limit, maxDistance: undefined, filters: [] });
    const [first] = await top(indexed, queries[1]!, 1);
    for (const store of [indexed, exact]) await store.delete(collection, [first!.record.id]);
    expect((await top(indexed, queries[1]!, 10)).map((h) => h.record.id)).not.toContain(first!.record.id);

    // Moved onto a query vector, the record is that query's nearest under cosine and L2 (distance 0).
    const moved = { ...records[0]!, vector: queries[2]! };
    for (const store of [indexed, exact]) await store.upsert(collection, [moved]);
    const [nearest] = await top(indexed, queries[2]!, 1);
    expect(nearest).toEqual((await top(exact, queries[2]!, 1))[0]);
    if (metric !== "dot") expect(nearest!.record.id).toBe(moved.id);
  });

  it("rebuilds the index from the journal when reopened", async () => {
    const probe = { vector: queries[3]!, limit: 10, maxDistance: undefined, filters: [] };
    const before = await indexed.search(collection, probe);
    await indexed.close();
    indexed = await EmbeddedVectorStore.open(dir, { exactScanMax: 0 });
    const after = await indexed.search(collection, probe);
    expect(after.map((h) => h.record.id)).toEqual(before.map((h) => h.record.id));
  });
});
