import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import weaviate, { Filters, type FilterValue, type WeaviateClient, type WeaviateField } from "weaviate-client";
import { InvalidArgumentError, NotFoundError } from "../../errors.js";
import type { CollectionSpec, Metric, PropertyCondition, PropertyType, SearchQuery, VectorHit, VectorRecord, VectorStore } from "../../ports/vector-store.js";
import { Breaker, type BreakerState, type Bulkhead } from "../../resilience/breaker.js";

export type WeaviateOptions = { url: string; grpcPort: number; timeoutMs: number; concurrency?: Bulkhead };

/** Our spec rides in the collection's description: Weaviate itself enforces no dimension. */
const SPEC_PREFIX = "neliti:";

const DATA_TYPE: Record<PropertyType, "text" | "number" | "int" | "boolean" | "date"> = {
  text: "text",
  number: "number",
  int: "int",
  boolean: "boolean",
  date: "date",
};

/**
 * VectorStore on Weaviate (weaviate-client 3.12: gRPC for data and queries, HTTP for schema).
 * Callers bring vectors (vectorizer none); HNSW with the collection's metric. Dates are stored as
 * Weaviate dates and exchanged as epoch milliseconds.
 */
export class WeaviateVectorStore implements VectorStore {
  readonly adapter = "weaviate";
  private readonly specs = new Map<string, CollectionSpec>();
  private readonly breaker: Breaker;

  private constructor(
    private readonly client: WeaviateClient,
    timeoutMs: number,
    concurrency: WeaviateOptions["concurrency"],
  ) {
    this.breaker = new Breaker("vectors", { failures: 5, halfOpenAfterMs: 2000, timeoutMs, concurrency });
  }

  static async open(o: WeaviateOptions): Promise<WeaviateVectorStore> {
    const u = new URL(o.url);
    const seconds = Math.ceil(o.timeoutMs / 1000);
    const client = await weaviate.connectToCustom({
      httpHost: u.hostname,
      httpPort: Number(u.port || 80),
      httpSecure: u.protocol === "https:",
      grpcHost: u.hostname,
      grpcPort: o.grpcPort,
      grpcSecure: u.protocol === "https:",
      timeout: { init: seconds, query: seconds, insert: seconds * 4 },
      skipInitChecks: true,
    });
    return new WeaviateVectorStore(client, o.timeoutMs, o.concurrency);
  }

  get circuit(): BreakerState {
    return this.breaker.state;
  }

  async probe(): Promise<void> {
    // Thrown inside the breaker, so failed probes open the circuit as failed calls do. The client
    // retries UNAVAILABLE five times with backoff inside every gRPC call (not configurable), so
    // while Weaviate is down calls hang until their timeout: probes are what open the circuit.
    await this.breaker.probe(async () => {
      if (!(await this.client.isReady())) throw new Error("Weaviate is not ready");
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Every Weaviate call here is idempotent (upserts carry their ids), so failures are retried once. */
  private run<T>(fn: () => Promise<T>): Promise<T> {
    return this.breaker.run(fn, { idempotent: true });
  }

  async ensureCollection(spec: CollectionSpec): Promise<{ created: boolean; existing: CollectionSpec }> {
    const existing = await this.getCollection(spec.name);
    if (existing) return { created: false, existing };
    await this.run(() =>
      this.client.collections.create({
        name: spec.name,
        description: `${SPEC_PREFIX}${JSON.stringify({ dimension: spec.dimension, metric: spec.metric })}`,
        properties: spec.properties.map(propertyConfig),
        vectorizers: weaviate.configure.vectorizer.none({
          vectorIndexConfig: weaviate.configure.vectorIndex.hnsw({ distanceMetric: spec.metric, efConstruction: 128, maxConnections: 32, ef: 128 }),
        }),
      }),
    );
    this.specs.set(spec.name, spec);
    return { created: true, existing: spec };
  }

  async getCollection(name: string): Promise<CollectionSpec | undefined> {
    const cached = this.specs.get(name);
    if (cached) return cached;
    if (!(await this.run(() => this.client.collections.exists(name)))) return undefined;
    const config = await this.run(() => this.client.collections.get(name).config.get());
    const stored = config.description?.startsWith(SPEC_PREFIX) ? (JSON.parse(config.description.slice(SPEC_PREFIX.length)) as { dimension: number; metric: Metric }) : undefined;
    if (!stored) return undefined;
    const spec: CollectionSpec = {
      name,
      dimension: stored.dimension,
      metric: stored.metric,
      properties: config.properties.map((p) => ({ name: p.name, type: p.dataType as PropertyType })),
    };
    this.specs.set(name, spec);
    return spec;
  }

  private async spec(name: string): Promise<CollectionSpec> {
    const spec = await this.getCollection(name);
    if (!spec) throw new NotFoundError(`collection ${name} does not exist`);
    return spec;
  }

  async upsert(collection: string, records: readonly VectorRecord[]): Promise<void> {
    const spec = await this.spec(collection);
    const col = this.client.collections.get(collection);
    const result = await this.run(() =>
      col.data.insertMany(records.map((r) => ({ id: r.id, properties: toWeaviate(spec, r.properties), vectors: [...r.vector] }))),
    );
    const failed = Object.entries(result.errors);
    if (failed.length > 0) {
      const [index, err] = failed[0]!;
      throw InvalidArgumentError.field(`objects[${index}]`, `Weaviate refused it: ${err.message}`, Number(index));
    }
  }

  async search(collection: string, q: SearchQuery): Promise<VectorHit[]> {
    const spec = await this.spec(collection);
    const col = this.client.collections.get(collection);
    const filters = q.filters.map((f) => condition(col.filter.byProperty(f.property), spec, f));
    const res = await this.run(() =>
      col.query.nearVector([...q.vector], {
        limit: q.limit,
        distance: q.maxDistance,
        filters: filters.length === 0 ? undefined : filters.length === 1 ? filters[0] : Filters.and(...filters),
        includeVector: q.omitVectors !== true,
        returnProperties: q.properties === undefined ? undefined : [...q.properties],
        returnMetadata: ["distance"],
      }),
    );
    return res.objects
      .map((o) => ({ record: toRecord(spec, o.uuid, o.vectors, o.properties), distance: o.metadata?.distance ?? 0 }))
      .sort((a, b) => a.distance - b.distance || (a.record.id < b.record.id ? -1 : 1));
  }

  async get(collection: string, id: string): Promise<VectorRecord | undefined> {
    const spec = await this.spec(collection);
    const o = await this.run(() => this.client.collections.get(collection).query.fetchObjectById(id, { includeVector: true }));
    return o ? toRecord(spec, o.uuid, o.vectors, o.properties) : undefined;
  }

  async delete(collection: string, ids: readonly string[]): Promise<number> {
    await this.spec(collection);
    const col = this.client.collections.get(collection);
    const res = await this.run(() => col.data.deleteMany(col.filter.byId().containsAny([...ids])));
    return res.successful;
  }
}

/**
 * Text is indexed whole ("field"), so equality is exact as on the embedded store: the default
 * ("word") lowercases and splits, which made "eurusd" equal "EURUSD" and "US30" match "US30.cash".
 * Ordered types get a range index: without one a window-end range turned a pattern search at
 * 100k objects from about 3 ms into about 70 ms (bench/RESULTS.md, patterns). Neither can be
 * changed on an existing collection; one created before this keeps its old indexes.
 */
function propertyConfig(p: CollectionSpec["properties"][number]) {
  const dataType = DATA_TYPE[p.type];
  if (p.type === "text") return { name: p.name, dataType, tokenization: "field" as const };
  if (p.type === "boolean") return { name: p.name, dataType };
  return { name: p.name, dataType, indexRangeFilters: true };
}

type ByProperty = ReturnType<ReturnType<WeaviateClient["collections"]["get"]>["filter"]["byProperty"]>;

function condition(by: ByProperty, spec: CollectionSpec, f: PropertyCondition): FilterValue {
  const type = spec.properties.find((p) => p.name === f.property)?.type;
  const value = (type === "date" ? new Date(Number(f.value)) : f.value) as never;
  switch (f.op) {
    case "eq":
      return by.equal(value);
    case "ne":
      return by.notEqual(value);
    case "gt":
      return by.greaterThan(value);
    case "gte":
      return by.greaterOrEqual(value);
    case "lt":
      return by.lessThan(value);
    case "lte":
      return by.lessOrEqual(value);
  }
}

function toWeaviate(spec: CollectionSpec, props: JsonObject): Record<string, WeaviateField> {
  const out: Record<string, WeaviateField> = {};
  for (const [k, v] of Object.entries(props)) {
    const type = spec.properties.find((p) => p.name === k)?.type;
    // Values were checked against the property types by the domain layer.
    out[k] = type === "date" ? new Date(Number(v)) : (v as WeaviateField);
  }
  return out;
}

function toRecord(spec: CollectionSpec, id: string, vectors: Record<string, unknown>, props: Record<string, unknown>): VectorRecord {
  const properties: JsonObject = {};
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined) continue;
    const type = spec.properties.find((p) => p.name === k)?.type;
    properties[k] = type === "date" ? new Date(v as string | Date).getTime() : (v as JsonValue);
  }
  const vector = (vectors.default ?? Object.values(vectors)[0] ?? []) as number[];
  return { id, vector: Float32Array.from(vector), properties };
}
