// The addon is CommonJS without static exports, so its classes come through the default import.
import hnswlib from "hnswlib-node";
import type { HierarchicalNSW } from "hnswlib-node";
import type { Metric } from "../../ports/vector-store.js";

/** hnswlib's spaces rank like our metrics; callers re-score candidates with the exact distance. */
const SPACE: Record<Metric, "cosine" | "ip" | "l2"> = { cosine: "cosine", dot: "ip", "l2-squared": "l2" };

/** M and efConstruction that gave recall@10 = 1.0 at 100k x 384 here (bench/RESULTS.md) at half M=32's build time. */
const LINKS_PER_NODE = 16;
const EF_CONSTRUCTION = 100;
/**
 * The search breadth: 128 gave recall@10 0.947 on 100k price-pattern vectors (34 components,
 * harder than clustered embeddings), 256 gave 0.988 for 0.13 ms more a query (measured with the
 * patterns bench's data in one run, bench/RESULTS.md).
 */
const MIN_EF_SEARCH = 256;
const INITIAL_CAPACITY = 1024;

/** What an index file needs beside it to be read back: which label stands for which id. */
export type SavedLabels = { labels: [string, number][]; nextLabel: number };

/**
 * An approximate nearest-neighbour index (HNSW, via hnswlib) over string ids. It holds only the
 * graph: the records and their exact distances stay with the caller, which re-ranks candidates.
 * Deleted slots are reused by later inserts, so churn does not grow the index.
 */
export class HnswIndex {
  private readonly index: HierarchicalNSW;
  private readonly labelOf = new Map<string, number>();
  private readonly idOf = new Map<number, string>();
  private nextLabel = 0;

  private constructor(metric: Metric, dimension: number) {
    this.index = new hnswlib.HierarchicalNSW(SPACE[metric], dimension);
  }

  static empty(metric: Metric, dimension: number): HnswIndex {
    const created = new HnswIndex(metric, dimension);
    created.index.initIndex({ maxElements: INITIAL_CAPACITY, m: LINKS_PER_NODE, efConstruction: EF_CONSTRUCTION, allowReplaceDeleted: true });
    return created;
  }

  /** Reads an index written by `save`, with the id map saved beside it; throws if they disagree. */
  static async load(metric: Metric, dimension: number, path: string, saved: SavedLabels): Promise<HnswIndex> {
    const loaded = new HnswIndex(metric, dimension);
    await loaded.index.readIndex(path, true);
    for (const [id, label] of saved.labels) {
      loaded.labelOf.set(id, label);
      loaded.idOf.set(label, id);
    }
    loaded.nextLabel = saved.nextLabel;
    // The file keeps deleted labels too (marked), so the id map must be a subset of its labels.
    const inFile = new Set(loaded.index.getIdsList());
    if (saved.labels.some(([, label]) => !inFile.has(label) || label >= saved.nextLabel)) throw new Error(`HNSW index ${path} does not match its id map`);
    return loaded;
  }

  /** Writes the graph to `path` (hnswlib's own format) and returns the id map that goes with it. */
  async save(path: string): Promise<SavedLabels> {
    await this.index.writeIndex(path);
    return { labels: [...this.labelOf], nextLabel: this.nextLabel };
  }

  get size(): number {
    return this.labelOf.size;
  }

  /** Inserts or replaces the vector of `id`. Synchronous and CPU-bound (about 0.25 ms at 384 dimensions). */
  put(id: string, vector: Float32Array): void {
    const point = Array.from(vector);
    const existing = this.labelOf.get(id);
    if (existing !== undefined) {
      this.index.addPoint(point, existing, false);
      return;
    }
    if (this.index.getCurrentCount() >= this.index.getMaxElements()) this.index.resizeIndex(this.index.getMaxElements() * 2);
    const label = this.nextLabel++;
    this.index.addPoint(point, label, true);
    this.labelOf.set(id, label);
    this.idOf.set(label, id);
  }

  remove(id: string): void {
    const label = this.labelOf.get(id);
    if (label === undefined) return;
    this.index.markDelete(label);
    this.labelOf.delete(id);
    this.idOf.delete(label);
  }

  /** Up to `count` ids near `query` that pass `accept`, in no guaranteed order. */
  nearest(query: Float32Array, count: number, accept?: (id: string) => boolean): string[] {
    if (this.size === 0) return [];
    const k = Math.min(count, this.index.getMaxElements());
    this.index.setEf(Math.max(MIN_EF_SEARCH, k));
    const filter = accept && ((label: number) => accept(this.idOf.get(label)!));
    const { neighbors } = this.index.searchKnn(Array.from(query), k, filter);
    return neighbors.map((label) => this.idOf.get(label)!);
  }
}
