import { InvalidArgumentError, NotFoundError } from "../errors.js";
import type { EdgeRecord, EdgeType, GraphStore, TraversalHit, TraversalQuery, VertexRecord, VertexRef } from "../ports/graph-store.js";

const DEPENDENCY_EDGES: readonly EdgeType[] = ["uses_indicator", "trades", "depends_on", "computed_on"];

/** Graph rules over any GraphStore: depth bound, existence checks, and the derived queries. */
export class GraphDomain {
  constructor(
    readonly store: GraphStore,
    private readonly maxDepth: number,
  ) {}

  upsertVertices(vertices: readonly VertexRecord[]): Promise<number> {
    const seen = new Set<string>();
    vertices.forEach((v, i) => {
      const id = `${v.kind}/${v.key}`;
      if (seen.has(id)) throw InvalidArgumentError.field(`vertices[${i}].ref`, `${id} appears twice in the batch`, i);
      seen.add(id);
    });
    return this.store.upsertVertices(vertices);
  }

  async getVertex(ref: VertexRef): Promise<VertexRecord> {
    const v = await this.store.getVertex(ref);
    if (!v) throw new NotFoundError(`vertex ${ref.kind}/${ref.key} not found`);
    return v;
  }

  async deleteVertex(ref: VertexRef): Promise<number> {
    const edges = await this.store.deleteVertex(ref);
    if (edges === undefined) throw new NotFoundError(`vertex ${ref.kind}/${ref.key} not found`);
    return edges;
  }

  upsertEdges(edges: readonly EdgeRecord[]): Promise<number> {
    const seen = new Set<string>();
    edges.forEach((e, i) => {
      const id = `${e.from.kind}/${e.from.key}-${e.type}->${e.to.kind}/${e.to.key}`;
      if (seen.has(id)) throw InvalidArgumentError.field(`edges[${i}]`, `${id} appears twice in the batch`, i);
      seen.add(id);
    });
    return this.store.upsertEdges(edges);
  }

  deleteEdge(from: VertexRef, to: VertexRef, type: EdgeType): Promise<boolean> {
    return this.store.deleteEdge(from, to, type);
  }

  /** max_depth 0 (unset) walks to the server's maximum, as the contract documents. */
  async traverse(q: TraversalQuery): Promise<TraversalHit[]> {
    if (q.maxDepth > this.maxDepth) {
      throw InvalidArgumentError.field("max_depth", `must be at most ${this.maxDepth} (GRAPH_MAX_DEPTH)`);
    }
    if (q.maxDepth === 0) q = { ...q, maxDepth: this.maxDepth };
    if (q.minDepth > q.maxDepth) throw InvalidArgumentError.field("min_depth", `must not exceed max_depth (${q.maxDepth})`);
    await this.getVertex(q.start);
    return this.store.traverse(q);
  }

  strategyDependencies(strategyKey: string): Promise<TraversalHit[]> {
    return this.traverse({
      start: { kind: "strategy", key: strategyKey },
      direction: "outbound",
      minDepth: 1,
      maxDepth: this.maxDepth,
      edgeTypes: DEPENDENCY_EDGES,
      limit: 100_000,
    });
  }

  /** user -has_role-> role -inherits-> role ... -grants-> permission. */
  async resolvePermissions(subject: VertexRef): Promise<{ permissions: string[]; roles: string[] }> {
    if (subject.kind !== "user" && subject.kind !== "role") {
      throw InvalidArgumentError.field("subject.kind", "must be USER or ROLE");
    }
    const hits = await this.traverse({
      start: subject,
      direction: "outbound",
      minDepth: 1,
      maxDepth: this.maxDepth,
      edgeTypes: ["has_role", "inherits", "grants"],
      limit: 100_000,
    });
    const pick = (kind: string) => [...new Set(hits.filter((h) => h.vertex.kind === kind).map((h) => h.vertex.key))].sort();
    const roles = pick("role");
    return { permissions: pick("permission"), roles: subject.kind === "role" ? roles.filter((r) => r !== subject.key) : roles };
  }
}
