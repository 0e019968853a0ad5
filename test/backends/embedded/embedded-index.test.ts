import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedVectorStore } from "../../../src/backends/embedded/vector-store.js";
import type { Metric, SearchQuery, VectorRecord } from "../../../src/ports/vector-store.js";
import { seededRandom } from "../../../bench/lib.js";

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

describe("embedded search with an equality filter that passes few records", () => {
  const { records: base, queries } = dataset(13);
  // 1 record in 100 is RARE: a filter on it passes far less than an eighth, so it is scanned.
  const records = base.map((r, i) => ({ ...r, properties: { bucket: i % 5, symbol: i % 100 === 7 ? "RARE" : "COMMON" } }));
  const collection = "Rare";
  let dir: string;
  let indexed: EmbeddedVectorStore;
  let exact: EmbeddedVectorStore;
  const rare = (vector: Float32Array): SearchQuery => ({ vector, limit: 10, maxDistance: undefined, filters: [{ property: "symbol", op: "eq", value: "RARE" }] });
  const same = async (vector: Float32Array) => expect(await indexed.search(collection, rare(vector))).toEqual(await exact.search(collection, rare(vector)));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "neliti-rare-"));
    indexed = await EmbeddedVectorStore.open(dir, { exactScanMax: 0 });
    exact = await EmbeddedVectorStore.open(undefined, { exactScanMax: Number.MAX_SAFE_INTEGER });
    for (const store of [indexed, exact]) {
      await store.ensureCollection({ name: collection, dimension: DIMENSION, metric: "cosine", properties: [{ name: "bucket", type: "int" }, { name: "symbol", type: "text" }] });
      for (let i = 0; i < records.length; i += 500) await store.upsert(collection, records.slice(i, i + 500));
    }
  });
  afterAll(async () => {
    await indexed?.close();
    await exact?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers exactly what an exact search answers, and nothing for a value no record holds", async () => {
    for (const q of queries.slice(0, 10)) await same(q);
    const hits = await indexed.search(collection, rare(queries[0]!));
    expect(hits).toHaveLength(10);
    expect(hits.every((h) => h.record.properties.symbol === "RARE")).toBe(true);
    expect(await indexed.search(collection, { ...rare(queries[0]!), filters: [{ property: "symbol", op: "eq", value: "NONE" }] })).toEqual([]);
  });

  it("follows a record whose value changes, and forgets a deleted one, across a reopen", async () => {
    const [nearest] = await indexed.search(collection, rare(queries[1]!));
    const common = records.find((r) => r.properties.symbol === "COMMON")!;
    for (const store of [indexed, exact]) {
      await store.upsert(collection, [{ ...nearest!.record, properties: { bucket: 0, symbol: "COMMON" } }, { ...common, properties: { bucket: 0, symbol: "RARE" } }]);
      await store.delete(collection, [records.find((r) => r.properties.symbol === "RARE" && r.id !== nearest!.record.id)!.id]);
    }
    const ids = async () => (await indexed.search(collection, { ...rare(queries[1]!), limit: 100 })).map((h) => h.record.id);
    expect(await ids()).not.toContain(nearest!.record.id);
    expect(await ids()).toContain(common.id);
    await same(queries[1]!);
    await indexed.close();
    indexed = await EmbeddedVectorStore.open(dir, { exactScanMax: 0 });
    await same(queries[1]!);
    // 40 RARE, one turned COMMON, one turned RARE, one deleted.
    expect(await ids()).toHaveLength(39);
  });
});
