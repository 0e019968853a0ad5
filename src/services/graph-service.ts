import type { ServiceImpl } from "@connectrpc/connect";
import {
  Direction,
  EdgeType as EdgeTypeProto,
  type GraphService,
  type VertexRef as VertexRefProto,
  VertexKind as VertexKindProto,
} from "../../gen/neliti/dataplane/v1/graph_pb.js";
import type { GraphDomain } from "../domain/graph.js";
import { InvalidArgumentError } from "../errors.js";
import {
  EDGE_TYPES,
  type EdgeRecord,
  type EdgeType,
  type TraversalHit,
  VERTEX_KINDS,
  type VertexRecord,
  type VertexRef,
} from "../ports/graph-store.js";

// Proto enum values 1..n line up with the domain name lists, in order.
const kindOf = (k: VertexKindProto) => VERTEX_KINDS[k - 1]!;
const kindProto = (k: string) => (VERTEX_KINDS.indexOf(k as (typeof VERTEX_KINDS)[number]) + 1) as VertexKindProto;
const typeOf = (t: EdgeTypeProto): EdgeType => EDGE_TYPES[t - 1]!;
const typeProto = (t: EdgeType) => (EDGE_TYPES.indexOf(t) + 1) as EdgeTypeProto;

function ref(r: VertexRefProto | undefined, field: string): VertexRef {
  if (!r) throw InvalidArgumentError.field(field, "is required");
  return { kind: kindOf(r.kind), key: r.key };
}

const refProto = (r: VertexRef) => ({ kind: kindProto(r.kind), key: r.key });
const vertexProto = (v: VertexRecord) => ({ ref: refProto(v), properties: v.properties });
const edgeProto = (e: EdgeRecord) => ({ from: refProto(e.from), to: refProto(e.to), type: typeProto(e.type), weight: e.weight, properties: e.properties });
const hitProto = (h: TraversalHit) => ({ vertex: vertexProto(h.vertex), depth: h.depth, path: h.path.map(edgeProto), pathWeight: h.pathWeight });

const DIRECTION = {
  [Direction.UNSPECIFIED]: "outbound",
  [Direction.OUTBOUND]: "outbound",
  [Direction.INBOUND]: "inbound",
  [Direction.ANY]: "any",
} as const;

/** Thin handlers: proto <-> GraphDomain. */
export function graphService(graph: GraphDomain): ServiceImpl<typeof GraphService> {
  return {
    async upsertVertices(req) {
      const vertices = req.vertices.map((v, i) => ({ ...ref(v.ref, `vertices[${i}].ref`), properties: v.properties ?? {} }));
      return { upserted: await graph.upsertVertices(vertices) };
    },
    async getVertex(req) {
      return { vertex: vertexProto(await graph.getVertex(ref(req.ref, "ref"))) };
    },
    async deleteVertex(req) {
      return { edgesDeleted: await graph.deleteVertex(ref(req.ref, "ref")) };
    },
    async upsertEdges(req) {
      const edges = req.edges.map((e, i) => ({
        from: ref(e.from, `edges[${i}].from`),
        to: ref(e.to, `edges[${i}].to`),
        type: typeOf(e.type),
        weight: e.weight,
        properties: e.properties ?? {},
      }));
      return { upserted: await graph.upsertEdges(edges) };
    },
    async deleteEdge(req) {
      return { deleted: await graph.deleteEdge(ref(req.from, "from"), ref(req.to, "to"), typeOf(req.type)) };
    },
    async traverse(req) {
      const hits = await graph.traverse({
        start: ref(req.start, "start"),
        direction: DIRECTION[req.direction],
        minDepth: req.minDepth,
        maxDepth: req.maxDepth,
        edgeTypes: req.edgeTypes.map(typeOf),
        limit: req.limit || 10_000,
      });
      return { hits: hits.map(hitProto) };
    },
    async getStrategyDependencies(req) {
      return { dependencies: (await graph.strategyDependencies(req.strategyKey)).map(hitProto) };
    },
    async resolvePermissions(req) {
      return graph.resolvePermissions(ref(req.subject, "subject"));
    },
  };
}
