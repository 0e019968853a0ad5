import type { FileHandle } from "node:fs/promises";
import { openJournal } from "./journal.js";
import type { JsonObject } from "@bufbuild/protobuf";
import { NotFoundError } from "../../errors.js";
import type { CollectionSpec, PropertyCondition, SearchQuery, VectorHit, VectorRecord, VectorStore } from "../../ports/vector-store.js";
import { cosineDistance, distance, norm } from "../../domain/vector-math.js";

type Collection = { spec: CollectionSpec; records: Map<string, VectorRecord> };
type JournalEntry =
  | { op: "ensure"; spec: CollectionSpec }
  | { op: "upsert"; collection: string; records: { id: string; vector: number[]; properties: JsonObject }[] }
  | { op: "delete"; collection: string; ids: string[] };

/**
 * Embedded vector store: exact (brute-force) search over vectors in memory, made durable by an
 * fsync'd journal replayed at start. Exact search is the reference the approximate production
 * index is measured against; it is fast enough for development-sized collections.
 */
export class EmbeddedVectorStore implements VectorStore {
  readonly adapter = "embedded";
  private readonly collections = new Map<string, Collection>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly journal: FileHandle | undefined) {}

  static async open(dir: string | undefined): Promise<EmbeddedVectorStore> {
    if (dir === undefined) return new EmbeddedVectorStore(undefined);
    const { handle, lines } = await openJournal(dir, "vectors.journal");
    const store = new EmbeddedVectorStore(handle);
    for (const line of lines) {
      try {
        store.apply(JSON.parse(line) as JournalEntry);
      } catch {
        // A torn last line was never acknowledged.
      }
    }
    return store;
  }

  async probe(): Promise<void> {}
  async close(): Promise<void> {
    await this.queue;
    await this.journal?.close();
  }

  private apply(e: JournalEntry): void {
    switch (e.op) {
      case "ensure":
        if (!this.collections.has(e.spec.name)) this.collections.set(e.spec.name, { spec: e.spec, records: new Map() });
        return;
      case "upsert": {
        const c = this.collection(e.collection);
        for (const r of e.records) c.records.set(r.id, { id: r.id, vector: Float32Array.from(r.vector), properties: r.properties });
        return;
      }
      case "delete": {
        const c = this.collection(e.collection);
        for (const id of e.ids) c.records.delete(id);
        return;
      }
    }
  }

  /** Journals then applies, serialized, so the journal order is the order of effects. */
  private write(e: JournalEntry): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.journal) {
        await this.journal.appendFile(`${JSON.stringify(e)}\n`);
        await this.journal.datasync();
      }
      this.apply(e);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private collection(name: string): Collection {
    const c = this.collections.get(name);
    if (!c) throw new NotFoundError(`collection ${name} does not exist`);
    return c;
  }

  async ensureCollection(spec: CollectionSpec): Promise<{ created: boolean; existing: CollectionSpec }> {
    const existing = this.collections.get(spec.name);
    if (existing) return { created: false, existing: existing.spec };
    await this.write({ op: "ensure", spec });
    return { created: true, existing: spec };
  }

  async getCollection(name: string): Promise<CollectionSpec | undefined> {
    return this.collections.get(name)?.spec;
  }

  async upsert(collection: string, records: readonly VectorRecord[]): Promise<void> {
    this.collection(collection);
    await this.write({
      op: "upsert",
      collection,
      records: records.map((r) => ({ id: r.id, vector: [...r.vector], properties: r.properties })),
    });
  }

  /** Exact search: every vector is scored, keeping only the best `limit` (no sort of the whole set). */
  async search(collection: string, q: SearchQuery): Promise<VectorHit[]> {
    const c = this.collection(collection);
    const best: VectorHit[] = [];
    const qNorm = norm(q.vector);
    const before = (a: VectorHit, b: VectorHit) => a.distance < b.distance || (a.distance === b.distance && a.record.id < b.record.id);
    for (const record of c.records.values()) {
      if (q.filters.length > 0 && !q.filters.every((f) => matches(record.properties, f))) continue;
      const d = c.spec.metric === "cosine" ? cosineDistance(q.vector, qNorm, record.vector, this.normOf(record.vector)) : distance(c.spec.metric, q.vector, record.vector);
      if (q.maxDistance !== undefined && d > q.maxDistance) continue;
      const hit = { record, distance: d };
      if (best.length === q.limit && !before(hit, best[best.length - 1]!)) continue;
      let i = best.length;
      while (i > 0 && before(hit, best[i - 1]!)) i--;
      best.splice(i, 0, hit);
      if (best.length > q.limit) best.pop();
    }
    return best;
  }

  private readonly norms = new WeakMap<Float32Array, number>();

  private normOf(v: Float32Array): number {
    let n = this.norms.get(v);
    if (n === undefined) this.norms.set(v, (n = norm(v)));
    return n;
  }

  async get(collection: string, id: string): Promise<VectorRecord | undefined> {
    return this.collection(collection).records.get(id);
  }

  async delete(collection: string, ids: readonly string[]): Promise<number> {
    const c = this.collection(collection);
    const present = ids.filter((id) => c.records.has(id));
    if (present.length > 0) await this.write({ op: "delete", collection, ids: present });
    return new Set(present).size;
  }
}

function matches(props: JsonObject, f: PropertyCondition): boolean {
  const v = props[f.property];
  if (v === undefined || v === null || typeof v === "object") return false;
  switch (f.op) {
    case "eq":
      return v === f.value;
    case "ne":
      return v !== f.value;
    case "gt":
      return v > f.value;
    case "gte":
      return v >= f.value;
    case "lt":
      return v < f.value;
    case "lte":
      return v <= f.value;
  }
}
