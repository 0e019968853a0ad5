import type { JsonValue } from "@bufbuild/protobuf";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../errors.js";
import type { CollectionSpec, PropertyCondition, PropertyType, SearchQuery, VectorHit, VectorRecord, VectorStore } from "../ports/vector-store.js";

export const STANDARD_COLLECTIONS: readonly CollectionSpec[] = [
  {
    name: "MarketSentiment",
    dimension: 384,
    metric: "cosine",
    properties: [
      { name: "symbol", type: "text" },
      { name: "sentiment_score", type: "number" },
      { name: "news_summary", type: "text" },
      { name: "timestamp", type: "date" },
    ],
  },
  {
    name: "TechnicalPattern",
    dimension: 384,
    metric: "cosine",
    properties: [
      { name: "pattern_name", type: "text" },
      { name: "symbol", type: "text" },
      { name: "confidence_score", type: "number" },
      { name: "timestamp", type: "date" },
    ],
  },
];

export type UpsertResult = { upserted: number; results: { id: string; error: string }[] };

/** Vector rules over any VectorStore: per-collection dimension and property types are enforced here. */
export class VectorDomain {
  constructor(readonly store: VectorStore) {}

  async ensureCollection(spec: CollectionSpec): Promise<boolean> {
    const names = new Set<string>();
    spec.properties.forEach((p, i) => {
      if (names.has(p.name)) throw InvalidArgumentError.field(`properties[${i}].name`, `duplicate property ${p.name}`, i);
      names.add(p.name);
    });
    const { created, existing } = await this.store.ensureCollection(spec);
    if (!created && !sameSchema(existing, spec)) {
      throw new FailedPreconditionError(`collection ${spec.name} exists with a different schema`);
    }
    return created;
  }

  private async spec(name: string): Promise<CollectionSpec> {
    const spec = await this.store.getCollection(name);
    if (!spec) throw new NotFoundError(`collection ${name} does not exist`);
    return spec;
  }

  /**
   * All or none unless `perObject`: then valid objects are stored and each invalid one is reported.
   */
  async upsert(collection: string, records: readonly VectorRecord[], perObject: boolean): Promise<UpsertResult> {
    const spec = await this.spec(collection);
    const errors = records.map((r, i) => objectError(spec, r, i));
    const firstBad = errors.findIndex((e) => e !== undefined);
    if (!perObject && firstBad >= 0) throw errors[firstBad]!;
    const seen = new Set<string>();
    records.forEach((r, i) => {
      if (seen.has(r.id) && !perObject) throw InvalidArgumentError.field(`objects[${i}].id`, "appears twice in the batch", i);
      seen.add(r.id);
    });
    const good = records.filter((_, i) => errors[i] === undefined);
    if (good.length > 0) await this.store.upsert(collection, good);
    return {
      upserted: good.length,
      results: perObject ? records.map((r, i) => ({ id: r.id, error: errors[i]?.message ?? "" })) : [],
    };
  }

  async search(collection: string, query: SearchQuery): Promise<VectorHit[]> {
    const spec = await this.spec(collection);
    if (query.vector.length !== spec.dimension) {
      throw InvalidArgumentError.field("vector", `has ${query.vector.length} components; ${collection} has dimension ${spec.dimension}`);
    }
    query.filters.forEach((f, i) => checkFilter(spec, f, i));
    return this.store.search(collection, query);
  }

  async get(collection: string, id: string): Promise<VectorRecord> {
    await this.spec(collection);
    const r = await this.store.get(collection, id);
    if (!r) throw new NotFoundError(`object ${id} not found in ${collection}`);
    return r;
  }

  async delete(collection: string, ids: readonly string[]): Promise<number> {
    await this.spec(collection);
    return this.store.delete(collection, ids);
  }
}

function sameSchema(a: CollectionSpec, b: CollectionSpec): boolean {
  const props = (s: CollectionSpec) => JSON.stringify([...s.properties].sort((x, y) => x.name.localeCompare(y.name)));
  return a.dimension === b.dimension && a.metric === b.metric && props(a) === props(b);
}

function objectError(spec: CollectionSpec, r: VectorRecord, i: number): InvalidArgumentError | undefined {
  if (r.vector.length !== spec.dimension) {
    return InvalidArgumentError.field(`objects[${i}].vector`, `has ${r.vector.length} components; ${spec.name} has dimension ${spec.dimension}`, i);
  }
  for (const [name, value] of Object.entries(r.properties)) {
    const prop = spec.properties.find((p) => p.name === name);
    if (!prop) return InvalidArgumentError.field(`objects[${i}].properties.${name}`, `is not a property of ${spec.name}`, i);
    if (!fits(prop.type, value)) return InvalidArgumentError.field(`objects[${i}].properties.${name}`, `must be a ${prop.type}`, i);
  }
  return undefined;
}

function fits(type: PropertyType, v: JsonValue): boolean {
  switch (type) {
    case "text":
      return typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "int":
    case "date":
      return typeof v === "number" && Number.isSafeInteger(v);
    case "boolean":
      return typeof v === "boolean";
  }
}

function checkFilter(spec: CollectionSpec, f: PropertyCondition, i: number): void {
  const prop = spec.properties.find((p) => p.name === f.property);
  if (!prop) throw InvalidArgumentError.field(`filters[${i}].property`, `${f.property} is not a property of ${spec.name}`, i);
  const ordered = f.op !== "eq" && f.op !== "ne";
  if (prop.type === "text" && (typeof f.value !== "string" || ordered)) {
    throw InvalidArgumentError.field(`filters[${i}]`, `${f.property} is text: compare it for equality with a text value`, i);
  }
  if (prop.type === "boolean" && (typeof f.value !== "boolean" || ordered)) {
    throw InvalidArgumentError.field(`filters[${i}]`, `${f.property} is boolean: compare it for equality with a boolean value`, i);
  }
  if ((prop.type === "number" || prop.type === "int" || prop.type === "date") && typeof f.value !== "number") {
    throw InvalidArgumentError.field(`filters[${i}]`, `${f.property} is a ${prop.type}: compare it with a number`, i);
  }
}

