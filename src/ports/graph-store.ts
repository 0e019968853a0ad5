import type { JsonObject } from "@bufbuild/protobuf";
import type { BackendProbe } from "./backend.js";

export const VERTEX_KINDS = ["strategy", "indicator", "instrument", "user", "role", "permission"] as const;
export type VertexKind = (typeof VERTEX_KINDS)[number];

export const EDGE_TYPES = [
  "uses_indicator",
  "trades",
  "depends_on",
  "correlates_with",
  "has_role",
  "inherits",
  "grants",
  "computed_on",
] as const;
export type EdgeType = (typeof EDGE_TYPES)[number];

export type VertexRef = { kind: VertexKind; key: string };
export type VertexRecord = VertexRef & { properties: JsonObject };
export type EdgeRecord = { from: VertexRef; to: VertexRef; type: EdgeType; weight: number; properties: JsonObject };

export type TraversalQuery = {
  start: VertexRef;
  direction: "outbound" | "inbound" | "any";
  minDepth: number;
  maxDepth: number;
  /** Empty: every type. */
  edgeTypes: readonly EdgeType[];
  limit: number;
};

/** A vertex reached by a traversal, with the first shortest path found to it. */
export type TraversalHit = { vertex: VertexRecord; depth: number; path: EdgeRecord[]; pathWeight: number };

/**
 * Vertices and typed, weighted, directed edges (one edge per from, to and type). Traversals visit
 * each vertex once at its smallest depth, terminate on cycles, and return hits ordered by depth,
 * kind, key.
 */
export interface GraphStore extends BackendProbe {
  upsertVertices(vertices: readonly VertexRecord[]): Promise<number>;
  getVertex(ref: VertexRef): Promise<VertexRecord | undefined>;
  /** Returns the number of edges removed with it, or undefined when the vertex does not exist. */
  deleteVertex(ref: VertexRef): Promise<number | undefined>;
  /** All or none; an edge whose end does not exist fails with InvalidArgument naming its index. */
  upsertEdges(edges: readonly EdgeRecord[]): Promise<number>;
  deleteEdge(from: VertexRef, to: VertexRef, type: EdgeType): Promise<boolean>;
  traverse(query: TraversalQuery): Promise<TraversalHit[]>;
}
