import type { FileHandle } from "node:fs/promises";
import { openJournal } from "./journal.js";
import type { JsonObject } from "@bufbuild/protobuf";
import { NotFoundError } from "../../errors.js";
import type { CollectionSpec, PropertyCondition, SearchQuery, VectorHit, VectorRecord, VectorStore } from "../../ports/vector-store.js";
import { cosineDistance, distance, norm } from "../../domain/vector-math.js";
import { HnswIndex } from "./hnsw-index.js";

type Collection = { spec: CollectionSpec; records: Map<string, VectorRecord>; index: HnswIndex };

/**
 * Base64 of the little-endian float32 bytes: exact, and about a third of the size of a JSON number
 * array. Journals written before this encoding hold number arrays, still read.
 */
type JournalVector = string | number[];

function encodeVector(v: Float32Array): string {
  const bytes = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) bytes.writeFloatLE(v[i]!, i * 4);
  return bytes.toString("base64");
}

function decodeVector(v: JournalVector): Float32Array {
  if (typeof v !== "string") return Float32Array.from(v);
  const bytes = Buffer.from(v, "base64");
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

export type EmbeddedVectorOptions = {
  /**
   * Collections up to this many records are searched exactly; larger ones through the HNSW index.
   * A full scan of 2,000 vectors of 384 dimensions costs about as much as an HNSW search.
   */
  exactScanMax: number;
};

const DEFAULT_OPTIONS: EmbeddedVectorOptions = { exactScanMax: 2_000 };

/** The index proposes this many candidates per wanted hit; exact re-scoring then picks the best. */
const CANDIDATES_PER_HIT = 4;
const MIN_CANDIDATES = 64;
type JournalEntry =
  | { op: "ensure"; spec: CollectionSpec }
  | { op: "upsert"; collection: string; records: { id: string; vector: JournalVector; properties: JsonObject }[] }
  | { op: "delete"; collection: string; ids: string[] };

/**
 * Embedded vector store: records in memory, made durable by an fsync'd journal replayed at start,
 * searched through an in-process HNSW index (rebuilt from the journal at start; it is derived
 * state). Candidates from the index are re-scored with the exact distance, so distances and tie
 * order are the same as an exact search's; small collections are scanned exactly.
 */
export class EmbeddedVectorStore implements VectorStore {
  readonly adapter = "embedded";
  private readonly collections = new Map<string, Collection>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly journal: FileHandle | undefined,
    private readonly options: EmbeddedVectorOptions,
  ) {}

  static async open(dir: string | undefined, options: Partial<EmbeddedVectorOptions> = {}): Promise<EmbeddedVectorStore> {
    const settled = { ...DEFAULT_OPTIONS, ...options };
    if (dir === undefined) return new EmbeddedVectorStore(undefined, settled);
    const { handle, lines } = await openJournal(dir, "vectors.journal");
    const store = new EmbeddedVectorStore(handle, settled);
    for await (const line of lines) {
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
        if (!this.collections.has(e.spec.name)) this.collections.set(e.spec.name, { spec: e.spec, records: new Map(), index: new HnswIndex(e.spec.metric, e.spec.dimension) });
        return;
      case "upsert": {
        const c = this.collection(e.collection);
        for (const r of e.records) {
          const vector = decodeVector(r.vector);
          c.records.set(r.id, { id: r.id, vector, properties: r.properties });
          c.index.put(r.id, vector);
        }
        return;
      }
      case "delete": {
        const c = this.collection(e.collection);
        for (const id of e.ids) {
          c.records.delete(id);
          c.index.remove(id);
        }
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
      records: records.map((r) => ({ id: r.id, vector: encodeVector(r.vector), properties: r.properties })),
    });
  }

  async search(collection: string, q: SearchQuery): Promise<VectorHit[]> {
    const c = this.collection(collection);
    const passes = (record: VectorRecord) => q.filters.every((f) => matches(record.properties, f));
    if (c.records.size <= this.options.exactScanMax) return this.best(c, q, [...c.records.values()].filter(passes));
    const wanted = Math.max(q.limit * CANDIDATES_PER_HIT, MIN_CANDIDATES);
    const accept = q.filters.length === 0 ? undefined : (id: string) => passes(c.records.get(id)!);
    const candidates = c.index.nearest(q.vector, wanted, accept).map((id) => c.records.get(id)!);
    return this.best(c, q, candidates);
  }

  /** The `limit` nearest of `records` within the cut-off, by exact distance, ties by id (no sort of the whole set). */
  private best(c: Collection, q: SearchQuery, records: Iterable<VectorRecord>): VectorHit[] {
    const best: VectorHit[] = [];
    const qNorm = norm(q.vector);
    const before = (a: VectorHit, b: VectorHit) => a.distance < b.distance || (a.distance === b.distance && a.record.id < b.record.id);
    for (const record of records) {
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
