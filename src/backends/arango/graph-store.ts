import { createHash } from "node:crypto";
import type { JsonObject } from "@bufbuild/protobuf";
import { aql, Database } from "arangojs";
import { isArangoError } from "arangojs/errors";
import { DomainError, InvalidArgumentError } from "../../errors.js";
import { Breaker, type BreakerState, type Bulkhead } from "../../resilience/breaker.js";
import type { MigrationFile } from "../../migrations/migration-files.js";
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
import { StepMigrator } from "../../migrations/step-migrator.js";

export type ArangoOptions = { url: string; poolSize: number; timeoutMs: number; concurrency?: Bulkhead };

/**
 * The server failing rather than answering: no connection, a timeout, a 5xx. An ArangoError
 * below 500 (a missing document, a conflict) is an answer and passes through the breaker.
 */
const isServerFailure = (err: unknown) => !(err instanceof DomainError) && !(isArangoError(err) && err.code !== undefined && err.code < 500);

const GRAPH = "neliti";
const COLLECTION: Record<VertexKind, string> = {
  strategy: "strategies",
  indicator: "indicators",
  instrument: "instruments",
  user: "users",
  role: "roles",
  permission: "permissions",
};
const KIND = Object.fromEntries(Object.entries(COLLECTION).map(([k, c]) => [c, k])) as Record<string, VertexKind>;
const ALL_EDGES: readonly EdgeType[] = ["uses_indicator", "trades", "depends_on", "correlates_with", "has_role", "inherits", "grants", "computed_on"];

const idOf = (r: VertexRef) => `${COLLECTION[r.kind]}/${r.key}`;
const refOf = (id: string): VertexRef => {
  const [collection, key] = id.split("/") as [string, string];
  return { kind: KIND[collection]!, key };
};
/** One edge per (from, to) in a type's collection: its key is derived from both ends. */
const edgeKey = (from: VertexRef, to: VertexRef) => createHash("sha1").update(`${idOf(from)}\u0000${idOf(to)}`).digest("hex");

type ArangoEdge = { _from: string; _to: string; _id: string; relationship_type: EdgeType; weight: number; properties: JsonObject };

/**
 * Traversals: breadth-first with globally unique vertices (each vertex once, at its smallest
 * depth; cycles end), over the named graph restricted to the requested edge collections.
 * Direction is an AQL keyword, so there is one fixed query per direction; every value is a bind
 * parameter.
 */
const TRAVERSE = {
  outbound: aqlTraversal("OUTBOUND"),
  inbound: aqlTraversal("INBOUND"),
  any: aqlTraversal("ANY"),
};

function aqlTraversal(direction: "OUTBOUND" | "INBOUND" | "ANY"): string {
  return `
FOR v, e, p IN @minDepth..@maxDepth ${direction} @start GRAPH "${GRAPH}"
  OPTIONS { order: "bfs", uniqueVertices: "global", edgeCollections: @edgeCollections }
  LET depth = LENGTH(p.edges)
  SORT depth, PARSE_IDENTIFIER(v._id).collection, v._key
  LIMIT @limit
  RETURN { id: v._id, properties: v.properties, depth, edges: p.edges }`;
}

/** GraphStore on ArangoDB (arangojs). Verified only where ARANGO_URL points at a real server. */
export class ArangoGraphStore implements GraphStore {
  readonly adapter = "arangodb";
  private readonly breaker: Breaker;

  private constructor(
    readonly db: Database,
    private readonly options: ArangoOptions,
  ) {
    // arangojs bounds each request by its own timeout; the breaker fails calls fast while the
    // server is down and keeps a slow server's calls to the bulkhead's share.
    this.breaker = new Breaker("graph", { failures: 5, halfOpenAfterMs: 2000, concurrency: options.concurrency, isFailure: isServerFailure });
  }

  get circuit(): BreakerState {
    return this.breaker.state;
  }

  static open(o: ArangoOptions): ArangoGraphStore {
    const u = new URL(o.url);
    const databaseName = u.pathname.replace(/^\//, "") || "neliti";
    const auth = u.username ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } : undefined;
    const db = new Database({ url: `${u.protocol}//${u.host}`, databaseName, auth, poolSize: o.poolSize, timeout: o.timeoutMs });
    return new ArangoGraphStore(db, o);
  }

  async probe(): Promise<void> {
    await this.breaker.probe(async () => {
      await this.db.version();
    });
  }

  poolStats(): PoolStats {
    return { inUse: 0, idle: 0, max: this.options.poolSize };
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }

  upsertVertices(vertices: readonly VertexRecord[]): Promise<number> {
    return this.breaker.run(() => this.upsertVerticesNow(vertices));
  }

  private async upsertVerticesNow(vertices: readonly VertexRecord[]): Promise<number> {
    const docs = vertices.map((v) => ({ collection: COLLECTION[v.kind], key: v.key, properties: v.properties }));
    const collections = [...new Set(docs.map((d) => d.collection))];
    const trx = await this.db.beginTransaction({ write: collections });
    try {
      for (const c of collections) {
        const mine = docs.filter((d) => d.collection === c).map((d) => ({ _key: d.key, properties: d.properties }));
        await trx.step(() => this.db.query(aql`FOR d IN ${mine} UPSERT { _key: d._key } INSERT d REPLACE d IN ${this.db.collection(c)}`));
      }
      await trx.commit();
    } catch (err) {
      await trx.abort().catch(() => undefined);
      throw err;
    }
    return vertices.length;
  }

  getVertex(ref: VertexRef): Promise<VertexRecord | undefined> {
    return this.breaker.run(() => this.getVertexNow(ref), { idempotent: true });
  }

  private async getVertexNow(ref: VertexRef): Promise<VertexRecord | undefined> {
    const cursor = await this.db.query(aql`RETURN DOCUMENT(${idOf(ref)})`);
    const doc = (await cursor.next()) as { properties?: JsonObject } | null;
    return doc ? { ...ref, properties: doc.properties ?? {} } : undefined;
  }

  deleteVertex(ref: VertexRef): Promise<number | undefined> {
    return this.breaker.run(() => this.deleteVertexNow(ref));
  }

  private async deleteVertexNow(ref: VertexRef): Promise<number | undefined> {
    const id = idOf(ref);
    if (!(await this.getVertexNow(ref))) return undefined;
    let edges = 0;
    for (const c of ALL_EDGES) {
      const counted = await this.db.query(aql`FOR e IN ${this.db.collection(c)} FILTER e._from == ${id} OR e._to == ${id} COLLECT WITH COUNT INTO n RETURN n`);
      edges += Number((await counted.next()) ?? 0);
    }
    // Removing through the named graph also removes every edge touching the vertex.
    await this.db.graph(GRAPH).vertexCollection(COLLECTION[ref.kind]).remove(ref.key);
    return edges;
  }

  upsertEdges(edges: readonly EdgeRecord[]): Promise<number> {
    return this.breaker.run(() => this.upsertEdgesNow(edges));
  }

  private async upsertEdgesNow(edges: readonly EdgeRecord[]): Promise<number> {
    const ids = [...new Set(edges.flatMap((e) => [idOf(e.from), idOf(e.to)]))];
    const cursor = await this.db.query(aql`FOR id IN ${ids} FILTER DOCUMENT(id) == null RETURN id`);
    const missing = new Set((await cursor.all()) as string[]);
    if (missing.size > 0) {
      for (const [i, e] of edges.entries()) {
        for (const end of ["from", "to"] as const) {
          if (missing.has(idOf(e[end]))) throw InvalidArgumentError.field(`edges[${i}].${end}`, `vertex ${e[end].kind}/${e[end].key} does not exist`, i);
        }
      }
    }
    const types = [...new Set(edges.map((e) => e.type))];
    const trx = await this.db.beginTransaction({ write: types });
    try {
      for (const t of types) {
        const docs = edges
          .filter((e) => e.type === t)
          .map((e) => ({ _key: edgeKey(e.from, e.to), _from: idOf(e.from), _to: idOf(e.to), relationship_type: t, weight: e.weight, properties: e.properties }));
        await trx.step(() => this.db.query(aql`FOR d IN ${docs} UPSERT { _key: d._key } INSERT d REPLACE d IN ${this.db.collection(t)}`));
      }
      await trx.commit();
    } catch (err) {
      await trx.abort().catch(() => undefined);
      throw err;
    }
    return edges.length;
  }

  deleteEdge(from: VertexRef, to: VertexRef, type: EdgeType): Promise<boolean> {
    return this.breaker.run(() => this.deleteEdgeNow(from, to, type));
  }

  private async deleteEdgeNow(from: VertexRef, to: VertexRef, type: EdgeType): Promise<boolean> {
    const cursor = await this.db.query(aql`REMOVE ${edgeKey(from, to)} IN ${this.db.collection(type)} OPTIONS { ignoreErrors: true } RETURN OLD`);
    return (await cursor.all()).filter(Boolean).length > 0;
  }

  traverse(q: TraversalQuery): Promise<TraversalHit[]> {
    return this.breaker.run(() => this.traverseNow(q), { idempotent: true });
  }

  private async traverseNow(q: TraversalQuery): Promise<TraversalHit[]> {
    const cursor = await this.db.query(TRAVERSE[q.direction], {
      start: idOf(q.start),
      minDepth: q.minDepth,
      maxDepth: q.maxDepth,
      edgeCollections: q.edgeTypes.length > 0 ? q.edgeTypes : ALL_EDGES,
      limit: q.limit,
    });
    const rows = (await cursor.all()) as { id: string; properties?: JsonObject; depth: number; edges: ArangoEdge[] }[];
    return rows.map((r) => {
      const path = r.edges.map((e) => ({ from: refOf(e._from), to: refOf(e._to), type: e.relationship_type, weight: e.weight, properties: e.properties ?? {} }));
      return {
        vertex: { ...refOf(r.id), properties: r.properties ?? {} },
        depth: r.depth,
        path,
        pathWeight: path.reduce((w, e) => w * e.weight, 1),
      };
    });
  }
}

type GraphMigration = {
  vertexCollections?: string[];
  edgeCollections?: string[];
  graph?: string;
  dropGraph?: string;
  dropCollections?: string[];
};

/** Applies migrations/arango (JSON descriptions of collections and the named graph). */
export class ArangoMigrator extends StepMigrator {
  constructor(
    private readonly db: Database,
    files: readonly MigrationFile[],
  ) {
    super("arangodb", files);
  }

  protected async createRecord(): Promise<void> {
    const log = this.db.collection("neliti_migrations");
    if (!(await log.exists())) await log.create();
  }

  protected async applied(): Promise<Map<number, number>> {
    const log = this.db.collection("neliti_migrations");
    if (!(await log.exists())) return new Map();
    const cursor = await this.db.query(aql`FOR m IN ${log} RETURN m`);
    const rows = (await cursor.all()) as { version: number; appliedAtMs: number }[];
    return new Map(rows.map((r) => [r.version, r.appliedAtMs]));
  }

  protected async apply(f: MigrationFile): Promise<void> {
    await this.run(JSON.parse(f.up) as GraphMigration);
    await this.db.collection("neliti_migrations").save({ _key: String(f.version), version: f.version, name: f.name, appliedAtMs: Date.now() });
  }

  protected async revert(f: MigrationFile): Promise<void> {
    await this.run(JSON.parse(f.down) as GraphMigration);
    await this.db.collection("neliti_migrations").remove(String(f.version));
  }

  private async run(m: GraphMigration): Promise<void> {
    if (m.dropGraph && (await this.db.graph(m.dropGraph).exists())) await this.db.graph(m.dropGraph).drop(false);
    for (const c of m.dropCollections ?? []) if (await this.db.collection(c).exists()) await this.db.collection(c).drop();
    for (const c of m.vertexCollections ?? []) if (!(await this.db.collection(c).exists())) await this.db.createCollection(c);
    for (const c of m.edgeCollections ?? []) if (!(await this.db.collection(c).exists())) await this.db.createEdgeCollection(c);
    if (m.graph && !(await this.db.graph(m.graph).exists())) {
      await this.db.createGraph(
        m.graph,
        (m.edgeCollections ?? []).map((collection) => ({ collection, from: m.vertexCollections ?? [], to: m.vertexCollections ?? [] })),
      );
    }
  }
}
