import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VectorDomain } from "../../src/domain/vectors.js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../../src/errors.js";
import type { CollectionSpec, VectorStore } from "../../src/ports/vector-store.js";
import { uniqueSuffix } from "../harness/backends.js";

const vec = (...xs: number[]) => Float32Array.from(xs);

/** What every VectorStore adapter must do, through the vector domain. */
export function vectorStoreContract(name: string, open: () => Promise<{ store: VectorStore; cleanup(collections: string[]): Promise<void> }>): void {
  describe(`VectorStore contract: ${name}`, () => {
    let fx: { store: VectorStore; cleanup(collections: string[]): Promise<void> };
    let vectors: VectorDomain;
    const collections: string[] = [];
    const collection = async (overrides: Partial<CollectionSpec> = {}) => {
      const spec: CollectionSpec = {
        name: `Test${uniqueSuffix()}`,
        dimension: 3,
        metric: "cosine",
        properties: [
          { name: "symbol", type: "text" },
          { name: "score", type: "number" },
          { name: "timestamp", type: "date" },
        ],
        ...overrides,
      };
      collections.push(spec.name);
      expect(await vectors.ensureCollection(spec)).toBe(true);
      return spec;
    };

    beforeAll(async () => {
      fx = await open();
      vectors = new VectorDomain(fx.store);
    });
    afterAll(async () => fx?.cleanup(collections));

    it("ensures a collection once and refuses a different schema under the same name", async () => {
      const spec = await collection();
      expect(await vectors.ensureCollection(spec)).toBe(false);
      await expect(vectors.ensureCollection({ ...spec, dimension: 4 })).rejects.toBeInstanceOf(FailedPreconditionError);
    });

    it("finds nearest neighbours in order with distances, honouring limit and cut-off", async () => {
      const { name } = await collection();
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      await vectors.upsert(
        name,
        [
          { id: a, vector: vec(1, 0, 0), properties: { symbol: "EURUSD", score: 0.9, timestamp: 1000 } },
          { id: b, vector: vec(0.7, 0.7, 0), properties: { symbol: "EURUSD", score: 0.1, timestamp: 2000 } },
          { id: c, vector: vec(0, 0, 1), properties: { symbol: "XAUUSD", score: 0.5, timestamp: 3000 } },
        ],
        false,
      );
      const hits = await vectors.search(name, { vector: vec(1, 0.1, 0), limit: 10, maxDistance: undefined, filters: [] });
      expect(hits.map((h) => h.record.id)).toEqual([a, b, c]);
      expect(hits[0]!.distance).toBeCloseTo(1 - 1 / Math.sqrt(1.01), 4);
      expect(hits[2]!.distance).toBeCloseTo(1, 4);
      expect((await vectors.search(name, { vector: vec(1, 0.1, 0), limit: 1, maxDistance: undefined, filters: [] })).map((h) => h.record.id)).toEqual([a]);
      expect((await vectors.search(name, { vector: vec(1, 0.1, 0), limit: 10, maxDistance: 0.5, filters: [] })).map((h) => h.record.id)).toEqual([a, b]);
    });

    it("filters on text equality and numeric/date ranges", async () => {
      const { name } = await collection();
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      await vectors.upsert(
        name,
        ids.map((id, i) => ({ id, vector: vec(1, i, 0), properties: { symbol: i < 2 ? "EURUSD" : "XAUUSD", score: i, timestamp: 1000 * (i + 1) } })),
        false,
      );
      const q = { vector: vec(1, 0, 0), limit: 10, maxDistance: undefined };
      const eur = await vectors.search(name, { ...q, filters: [{ property: "symbol", op: "eq", value: "EURUSD" }] });
      expect(eur.map((h) => h.record.id).sort()).toEqual([ids[0], ids[1]].sort());
      const late = await vectors.search(name, {
        ...q,
        filters: [
          { property: "timestamp", op: "gte", value: 2000 },
          { property: "timestamp", op: "lt", value: 3000 },
        ],
      });
      expect(late.map((h) => h.record.id)).toEqual([ids[1]]);
    });

    it("text equality is exact: case, punctuation and spaces count", async () => {
      const { name } = await collection();
      const symbols = ["EURUSD", "eurusd", "US30", "US30.cash", "EUR USD"];
      const ids = symbols.map(() => randomUUID());
      await vectors.upsert(name, ids.map((id, i) => ({ id, vector: vec(1, i, 0), properties: { symbol: symbols[i]! } })), false);
      for (const [i, symbol] of symbols.entries()) {
        const hits = await vectors.search(name, { vector: vec(1, 0, 0), limit: 10, maxDistance: undefined, filters: [{ property: "symbol", op: "eq", value: symbol }] });
        expect(hits.map((h) => h.record.id), symbol).toEqual([ids[i]]);
      }
      const notEur = await vectors.search(name, { vector: vec(1, 0, 0), limit: 10, maxDistance: undefined, filters: [{ property: "symbol", op: "ne", value: "EURUSD" }] });
      expect(notEur.map((h) => h.record.id).sort()).toEqual(ids.slice(1).sort());
    });

    it("a search that omits vectors and names properties still gives each hit's id, those properties and distance", async () => {
      const { name } = await collection();
      const [a, b] = [randomUUID(), randomUUID()];
      await vectors.upsert(
        name,
        [
          { id: a, vector: vec(1, 0, 0), properties: { symbol: "EURUSD", timestamp: 1000 } },
          { id: b, vector: vec(0, 1, 0), properties: { symbol: "XAUUSD", timestamp: 2000 } },
        ],
        false,
      );
      const query = { vector: vec(1, 0.1, 0), limit: 10, maxDistance: undefined, filters: [] };
      const full = await vectors.search(name, query);
      const lean = await vectors.search(name, { ...query, omitVectors: true });
      expect(lean.map((h) => [h.record.id, h.record.properties])).toEqual(full.map((h) => [h.record.id, h.record.properties]));
      const named = await vectors.search(name, { ...query, omitVectors: true, properties: ["timestamp"] });
      expect(named.map((h) => [h.record.id, h.record.properties.timestamp])).toEqual([
        [a, 1000],
        [b, 2000],
      ]);
      expect(lean.map((h) => h.distance)).toEqual(full.map((h) => h.distance));
      expect([...full[0]!.record.vector]).toEqual([1, 0, 0]);
    });

    it("replaces an object upserted again under the same id, and gets it by id", async () => {
      const { name } = await collection();
      const id = randomUUID();
      await vectors.upsert(name, [{ id, vector: vec(1, 0, 0), properties: { symbol: "A" } }], false);
      await vectors.upsert(name, [{ id, vector: vec(0, 1, 0), properties: { symbol: "B" } }], false);
      const got = await vectors.get(name, id);
      expect([...got.vector]).toEqual([0, 1, 0]);
      expect(got.properties).toMatchObject({ symbol: "B" });
      await expect(vectors.get(name, randomUUID())).rejects.toBeInstanceOf(NotFoundError);
    });

    it("deletes by id and counts what existed", async () => {
      const { name } = await collection();
      const id = randomUUID();
      await vectors.upsert(name, [{ id, vector: vec(1, 0, 0), properties: {} }], false);
      expect(await vectors.delete(name, [id, randomUUID()])).toBe(1);
      await expect(vectors.get(name, id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it("enforces the dimension and property types; a rejected batch stores nothing", async () => {
      const { name } = await collection();
      const good = randomUUID();
      const err = await vectors
        .upsert(name, [{ id: good, vector: vec(1, 0, 0), properties: {} }, { id: randomUUID(), vector: vec(1, 0), properties: {} }], false)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).violations[0]).toMatchObject({ field: "objects[1].vector", index: 1 });
      await expect(vectors.get(name, good)).rejects.toBeInstanceOf(NotFoundError);
      await expect(vectors.upsert(name, [{ id: good, vector: vec(1, 0, 0), properties: { score: "high" } }], false)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(vectors.upsert(name, [{ id: good, vector: vec(1, 0, 0), properties: { unknown: 1 } }], false)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(vectors.search(name, { vector: vec(1, 0), limit: 1, maxDistance: undefined, filters: [] })).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it("stores the valid objects and reports each failure when asked for per-object results", async () => {
      const { name } = await collection();
      const [ok, bad] = [randomUUID(), randomUUID()];
      const res = await vectors.upsert(name, [{ id: ok, vector: vec(1, 0, 0), properties: {} }, { id: bad, vector: vec(1), properties: {} }], true);
      expect(res.upserted).toBe(1);
      expect(res.results.map((r) => [r.id, r.error === ""])).toEqual([
        [ok, true],
        [bad, false],
      ]);
      expect((await vectors.get(name, ok)).id).toBe(ok);
    });

    it("unknown collections are NOT_FOUND", async () => {
      await expect(vectors.search(`Missing${uniqueSuffix()}`, { vector: vec(1), limit: 1, maxDistance: undefined, filters: [] })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });
  });
}
