import type { JsonObject } from "@bufbuild/protobuf";
import { InvalidArgumentError } from "../../errors.js";
import type { PoolStats } from "../../ports/backend.js";
import type {
  EdgeRecord,
  EdgeType,
  GraphStore,
  TraversalHit,
  TraversalQuery,
  VertexKind,
  VertexRecord,
  VertexRef,
} from "../../ports/graph-store.js";
import { FOREIGN_KEY_VIOLATION, type SqlClient, sqlErrorCode } from "./sql-client.js";

type EdgeRow = {
  id: string | number;
  from_kind: string;
  from_key: string;
  to_kind: string;
  to_key: string;
  type: string;
  weight: number;
  properties: JsonObject;
};

const EDGE_COLUMNS = "id, from_kind, from_key, to_kind, to_key, type, weight, properties";

const toEdge = (r: EdgeRow): EdgeRecord => ({
  from: { kind: r.from_kind as VertexKind, key: r.from_key },
  to: { kind: r.to_kind as VertexKind, key: r.to_key },
  type: r.type as EdgeType,
  weight: Number(r.weight),
  properties: r.properties,
});

/**
 * Walks breadth-first with a recursive CTE. Each path carries the vertices it has seen, so cycles
 * end; DISTINCT ON keeps each vertex once, at its smallest depth (ties: the lowest edge-id path),
 * which is ArangoDB's BFS with globally unique vertices. Depth is bounded by $5.
 */
const TRAVERSE_SQL = `
WITH RECURSIVE walk(kind, key, depth, path, seen, weight) AS (
    SELECT $1::text, $2::text, 0, ARRAY[]::bigint[], ARRAY[$1::text || '/' || $2::text], 1.0::float8
  UNION ALL
    SELECT n.kind, n.key, w.depth + 1, w.path || n.edge_id, w.seen || (n.kind || '/' || n.key), w.weight * n.weight
      FROM walk w
      CROSS JOIN LATERAL (
          SELECT e.to_kind AS kind, e.to_key AS key, e.id AS edge_id, e.weight
            FROM graph_edges e
           WHERE $3::boolean AND e.from_kind = w.kind AND e.from_key = w.key
             AND (cardinality($6::text[]) = 0 OR e.type = ANY($6::text[]))
        UNION ALL
          SELECT e.from_kind, e.from_key, e.id, e.weight
            FROM graph_edges e
           WHERE $4::boolean AND e.to_kind = w.kind AND e.to_key = w.key
             AND (cardinality($6::text[]) = 0 OR e.type = ANY($6::text[]))
      ) n
     WHERE w.depth < $5::int AND NOT ((n.kind || '/' || n.key) = ANY(w.seen))
),
firsts AS (
  SELECT DISTINCT ON (kind, key) kind, key, depth, path, weight FROM walk ORDER BY kind, key, depth, path
)
SELECT f.kind, f.key, f.depth, f.path, f.weight, v.properties
  FROM firsts f JOIN graph_vertices v ON v.kind = f.kind AND v.key = f.key
 WHERE f.depth >= $7::int
 ORDER BY f.depth, f.kind, f.key
 LIMIT $8::int`;

/** GraphStore on PostgreSQL or PGlite (tables from migrations/postgres/0003_graph). */
export class SqlGraphStore implements GraphStore {
  constructor(
    private readonly sql: SqlClient & { poolStats?(): PoolStats },
    readonly adapter: string,
  ) {}

  async probe(): Promise<void> {
    await this.sql.query("SELECT 1 FROM graph_vertices LIMIT 1");
  }

  get circuit(): SqlClient["circuit"] {
    return this.sql.circuit;
  }

  poolStats(): PoolStats | undefined {
    return this.sql.poolStats?.();
  }

  async upsertVertices(vertices: readonly VertexRecord[]): Promise<number> {
    await this.sql.query(
      `INSERT INTO graph_vertices (kind, key, properties)
         SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])
       ON CONFLICT (kind, key) DO UPDATE SET properties = EXCLUDED.properties`,
      [vertices.map((v) => v.kind), vertices.map((v) => v.key), vertices.map((v) => JSON.stringify(v.properties))],
    );
    return vertices.length;
  }

  async getVertex(ref: VertexRef): Promise<VertexRecord | undefined> {
    const rows = await this.sql.query<{ properties: JsonObject }>("SELECT properties FROM graph_vertices WHERE kind = $1 AND key = $2", [
      ref.kind,
      ref.key,
    ]);
    return rows[0] ? { ...ref, properties: rows[0].properties } : undefined;
  }

  async deleteVertex(ref: VertexRef): Promise<number | undefined> {
    return this.sql.transaction(async (tx) => {
      const edges = await tx.query<{ n: string | number }>(
        "SELECT count(*) AS n FROM graph_edges WHERE (from_kind = $1 AND from_key = $2) OR (to_kind = $1 AND to_key = $2)",
        [ref.kind, ref.key],
      );
      const deleted = await tx.query("DELETE FROM graph_vertices WHERE kind = $1 AND key = $2 RETURNING key", [ref.kind, ref.key]);
      return deleted.length === 0 ? undefined : Number(edges[0]?.n ?? 0);
    });
  }

  async upsertEdges(edges: readonly EdgeRecord[]): Promise<number> {
    try {
      await this.sql.query(
        `INSERT INTO graph_edges (from_kind, from_key, to_kind, to_key, type, weight, properties)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::jsonb[])
         ON CONFLICT (from_kind, from_key, type, to_kind, to_key)
         DO UPDATE SET weight = EXCLUDED.weight, properties = EXCLUDED.properties`,
        [
          edges.map((e) => e.from.kind),
          edges.map((e) => e.from.key),
          edges.map((e) => e.to.kind),
          edges.map((e) => e.to.key),
          edges.map((e) => e.type),
          edges.map((e) => e.weight),
          edges.map((e) => JSON.stringify(e.properties)),
        ],
      );
    } catch (err) {
      if (sqlErrorCode(err) === FOREIGN_KEY_VIOLATION) throw await this.danglingEdge(edges);
      throw err;
    }
    return edges.length;
  }

  /** Names the first edge whose end is missing (the insert itself was rolled back whole). */
  private async danglingEdge(edges: readonly EdgeRecord[]): Promise<InvalidArgumentError> {
    for (const [i, e] of edges.entries()) {
      for (const end of ["from", "to"] as const) {
        if (!(await this.getVertex(e[end]))) {
          return InvalidArgumentError.field(`edges[${i}].${end}`, `vertex ${e[end].kind}/${e[end].key} does not exist`, i);
        }
      }
    }
    return InvalidArgumentError.field("edges", "an edge refers to a vertex that does not exist");
  }

  async deleteEdge(from: VertexRef, to: VertexRef, type: EdgeType): Promise<boolean> {
    const rows = await this.sql.query(
      "DELETE FROM graph_edges WHERE from_kind = $1 AND from_key = $2 AND to_kind = $3 AND to_key = $4 AND type = $5 RETURNING id",
      [from.kind, from.key, to.kind, to.key, type],
    );
    return rows.length > 0;
  }

  async traverse(q: TraversalQuery): Promise<TraversalHit[]> {
    const rows = await this.sql.query<{
      kind: string;
      key: string;
      depth: number;
      path: (string | number)[];
      weight: number;
      properties: JsonObject;
    }>(TRAVERSE_SQL, [
      q.start.kind,
      q.start.key,
      q.direction !== "inbound",
      q.direction !== "outbound",
      q.maxDepth,
      q.edgeTypes,
      q.minDepth,
      q.limit,
    ]);
    const edgeIds = [...new Set(rows.flatMap((r) => r.path.map(String)))];
    const edges = new Map<string, EdgeRecord>();
    if (edgeIds.length > 0) {
      const edgeRows = await this.sql.query<EdgeRow>(`SELECT ${EDGE_COLUMNS} FROM graph_edges WHERE id = ANY($1::bigint[])`, [edgeIds]);
      for (const r of edgeRows) edges.set(String(r.id), toEdge(r));
    }
    return rows.map((r) => ({
      vertex: { kind: r.kind as VertexKind, key: r.key, properties: r.properties },
      depth: Number(r.depth),
      path: r.path.map((id) => edges.get(String(id))).filter((e): e is EdgeRecord => e !== undefined),
      pathWeight: Number(r.weight),
    }));
  }
}
