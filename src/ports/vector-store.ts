import type { JsonObject } from "@bufbuild/protobuf";
import type { BackendProbe } from "./backend.js";

export type PropertyType = "text" | "number" | "int" | "boolean" | "date";
export type Metric = "cosine" | "dot" | "l2-squared";

export type CollectionSpec = {
  name: string;
  dimension: number;
  metric: Metric;
  properties: { name: string; type: PropertyType }[];
};

export type VectorRecord = { id: string; vector: Float32Array; properties: JsonObject };

export type FilterOp = "eq" | "ne" | "gt" | "gte" | "lt" | "lte";
export type PropertyCondition = { property: string; op: FilterOp; value: string | number | boolean };

export type SearchQuery = {
  vector: Float32Array;
  limit: number;
  maxDistance: number | undefined;
  /** All must hold. Properties are known to exist in the collection with a matching type. */
  filters: readonly PropertyCondition[];
  /**
   * A store may then give hits an empty vector: for callers that read only ids, properties and
   * distances, so a remote store need not send (and this process decode) a vector per hit.
   */
  omitVectors?: boolean;
  /**
   * The properties the caller reads; a store may leave the others out of the hits. Weaviate's
   * search time grows with each property it returns per hit (bench/RESULTS.md, patterns).
   */
  properties?: readonly string[];
};

export type VectorHit = { record: VectorRecord; distance: number };

/**
 * Collections of vectors with typed properties. Inputs arrive validated against the collection
 * spec (dimension, property names and types) by the domain layer.
 */
export interface VectorStore extends BackendProbe {
  /** Returns true when created now; an existing collection is returned as it is. */
  ensureCollection(spec: CollectionSpec): Promise<{ created: boolean; existing: CollectionSpec }>;
  getCollection(name: string): Promise<CollectionSpec | undefined>;
  upsert(collection: string, records: readonly VectorRecord[]): Promise<void>;
  /** Nearest first; ties broken by id. */
  search(collection: string, query: SearchQuery): Promise<VectorHit[]>;
  get(collection: string, id: string): Promise<VectorRecord | undefined>;
  delete(collection: string, ids: readonly string[]): Promise<number>;
}
