import type { ServiceImpl } from "@connectrpc/connect";
import {
  DistanceMetric,
  FilterOperator,
  PropertyType as PropertyTypeProto,
  type VectorService,
} from "../../gen/neliti/dataplane/v1/vector_pb.js";
import type { VectorDomain } from "../domain/vectors.js";
import type { FilterOp, Metric, PropertyType, VectorRecord } from "../ports/vector-store.js";

const METRIC: Record<DistanceMetric, Metric> = {
  [DistanceMetric.UNSPECIFIED]: "cosine",
  [DistanceMetric.COSINE]: "cosine",
  [DistanceMetric.DOT]: "dot",
  [DistanceMetric.L2_SQUARED]: "l2-squared",
};

const PROPERTY_TYPE: Record<Exclude<PropertyTypeProto, PropertyTypeProto.UNSPECIFIED>, PropertyType> = {
  [PropertyTypeProto.TEXT]: "text",
  [PropertyTypeProto.NUMBER]: "number",
  [PropertyTypeProto.INT]: "int",
  [PropertyTypeProto.BOOLEAN]: "boolean",
  [PropertyTypeProto.DATE]: "date",
};

const OP: Record<Exclude<FilterOperator, FilterOperator.UNSPECIFIED>, FilterOp> = {
  [FilterOperator.EQUAL]: "eq",
  [FilterOperator.NOT_EQUAL]: "ne",
  [FilterOperator.GREATER_THAN]: "gt",
  [FilterOperator.GREATER_THAN_EQUAL]: "gte",
  [FilterOperator.LESS_THAN]: "lt",
  [FilterOperator.LESS_THAN_EQUAL]: "lte",
};

const toObject = (r: VectorRecord) => ({ id: r.id, vector: [...r.vector], properties: r.properties });

/** Thin handlers: proto <-> VectorDomain. */
export function vectorService(vectors: VectorDomain): ServiceImpl<typeof VectorService> {
  return {
    async ensureCollection(req) {
      const created = await vectors.ensureCollection({
        name: req.name,
        dimension: req.dimension,
        metric: METRIC[req.metric],
        properties: req.properties.map((p) => ({ name: p.name, type: PROPERTY_TYPE[p.type as keyof typeof PROPERTY_TYPE] })),
      });
      return { created };
    },
    async upsertObjects(req) {
      const records = req.objects.map((o) => ({ id: o.id.toLowerCase(), vector: Float32Array.from(o.vector), properties: o.properties ?? {} }));
      return vectors.upsert(req.collection, records, req.perObjectResults);
    },
    async searchNearVector(req) {
      const hits = await vectors.search(req.collection, {
        vector: Float32Array.from(req.vector),
        limit: req.limit || 10,
        maxDistance: req.maxDistance,
        filters: req.filters.map((f) => ({
          property: f.property,
          op: OP[f.operator as keyof typeof OP],
          value: f.value.value as string | number | boolean,
        })),
      });
      return { hits: hits.map((h) => ({ object: toObject(h.record), distance: h.distance })) };
    },
    async getObject(req) {
      return { object: toObject(await vectors.get(req.collection, req.id.toLowerCase())) };
    },
    async deleteObjects(req) {
      return { deleted: await vectors.delete(req.collection, req.ids.map((id) => id.toLowerCase())) };
    },
  };
}
