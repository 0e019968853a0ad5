import { join } from "node:path";
import type { Config } from "../config.js";
import { MIGRATIONS_ROOT, readMigrationFiles } from "../migrations/migration-files.js";
import type { BackendName, BackendProbe } from "../ports/backend.js";
import type { CacheStore } from "../ports/cache-store.js";
import type { GraphStore } from "../ports/graph-store.js";
import type { Migrator } from "../ports/migrator.js";
import type { StreamLog } from "../ports/stream-log.js";
import type { TickStore } from "../ports/tick-store.js";
import type { UserStore } from "../ports/user-store.js";
import type { VectorStore } from "../ports/vector-store.js";
import type { Logger } from "../observability/logger.js";
import { countExternalMemoryInHeapLimit } from "../runtime/external-memory-gc.js";
import { keepWasmImportWrappersGeneric } from "../runtime/wasm-import-wrappers.js";
import type { SqlClient } from "./postgres/sql-client.js";

export type Backends = {
  ticks: TickStore;
  users: UserStore;
  graph: GraphStore;
  vectors: VectorStore;
  cache: CacheStore;
  stream: StreamLog;
  migrators: Partial<Record<BackendName, Migrator>>;
  /**
   * Stores still getting ready after openBackends returned (the embedded SQL database on a fresh
   * data dir): their services answer late until it resolves, and health says NOT_SERVING. A
   * rejection means the store could not open: the process cannot serve those services.
   */
  warming: Partial<Record<BackendName, Promise<void>>>;
  /** Human-readable store per service, for the start-up banner. */
  describe(): Record<BackendName, string>;
  /** Each service's store, as health reporting sees it. */
  stores(): Record<BackendName, BackendProbe>;
  close(): Promise<void>;
};

/**
 * One opened store: what it is (for the banner), how to close it, its migrator if it has one, and
 * while it is still getting ready in the background, the promise of that.
 */
type Opened<T> = { store: T; label: string; close?: () => Promise<void>; migrator?: Migrator; warming?: Promise<void> };

type SqlOpened = Opened<SqlClient> & { adapter: "postgres" | "embedded"; migrator: Migrator };

type Context = { config: Config; log: Logger; dir(name: string): string | undefined; where(name: string): string };

/**
 * How each store opens: the production adapter when its URL is set, the embedded one otherwise.
 * Adapters are imported only when chosen, so a process loads the client libraries it uses and no
 * others (the embedded mode starts without loading the Kafka, Weaviate or ClickHouse clients).
 */
const OPENERS = {
  /**
   * PostgreSQL, migrated before the service starts. The embedded PGlite is opened and migrated in
   * the background instead, behind a client whose calls wait for it: a fresh database takes
   * seconds to initialise, and every other service can answer meanwhile.
   */
  async sql({ config, dir }: Context): Promise<SqlOpened> {
    const [{ SqlMigrator }, files] = await Promise.all([import("./postgres/migrator.js"), readMigrationFiles(join(MIGRATIONS_ROOT, "postgres"))]);
    const url = config.backends.postgresUrl;
    if (url) {
      const { PgSqlClient } = await import("./postgres/pg-client.js");
      const pg = new PgSqlClient(url, { ...config.pools.postgres, concurrency: config.bulkheads.postgres });
      const migrator = new SqlMigrator(pg, files, "postgres");
      await migrator.migrateTo().catch(async (err: unknown) => {
        await pg.close();
        throw err;
      });
      return { store: pg, adapter: "postgres", label: "PostgreSQL", migrator, close: () => pg.close() };
    }
    const [{ PgliteSqlClient }, { DeferredSqlClient }] = await Promise.all([import("./embedded/pglite-client.js"), import("./embedded/deferred-sql-client.js")]);
    const opening = PgliteSqlClient.open(dir("pglite"));
    const migrator = new SqlMigrator(new DeferredSqlClient(opening), files, "embedded");
    const warming = opening.then(async () => {
      await migrator.migrateTo();
    });
    const where = config.inMemory ? ", in memory" : ` in ${dir("pglite")}`;
    return {
      store: new DeferredSqlClient(warming.then(() => opening)),
      adapter: "embedded",
      label: `PGlite (embedded PostgreSQL${where})`,
      migrator,
      warming,
      // Closing waits for an open still under way: PGlite must not be torn down mid-initialisation.
      close: async () => (await opening).close(),
    };
  },

  async ticks({ config, log, dir, where }: Context): Promise<Opened<TickStore>> {
    const url = config.backends.clickhouseUrl;
    if (!url) {
      const { EmbeddedTickStore } = await import("./embedded/tick-store.js");
      const store = await EmbeddedTickStore.open(dir("ticks"));
      return { store, label: `embedded tick store (${where("ticks")})`, close: () => store.close() };
    }
    const [{ ClickHouseTickStore }, { TickSpool }, { SpoolingTickStore }] = await Promise.all([
      import("./clickhouse/tick-store.js"),
      import("../spool/spool.js"),
      import("../spool/spooling-tick-store.js"),
    ]);
    const ingest = config.ingest;
    const opened = await ClickHouseTickStore.open(
      {
        url,
        maxConnections: config.pools.clickhouse.max,
        requestTimeoutMs: config.pools.clickhouse.requestTimeoutMs,
        concurrency: config.bulkheads.clickhouse,
        commit: { maxRows: ingest.flushRows, maxDelayMs: ingest.flushMs, maxPendingRows: ingest.maxPendingRows, concurrency: ingest.flushConcurrency },
      },
      await readMigrationFiles(join(MIGRATIONS_ROOT, "clickhouse")),
    );
    const caps = opened.store.caps;
    const label = `ClickHouse ${caps.version} (${caps.modern ? "DateTime64, codecs, query parameters" : "legacy schema: Int64 ms, no codecs, hex-escaped literals"})`;
    // With the tick log, the log holds batches while ClickHouse is down: no replica's disk does.
    if (config.tickLog) return { store: opened.store, migrator: opened.migrator, label: `${label}, written from the tick log`, close: () => opened.store.close() };
    const spool = await TickSpool.open(join(config.dataDir, "spool"), ingest.spoolMaxBytes);
    const spooling = new SpoolingTickStore(opened.store, spool, log);
    return {
      store: spooling,
      migrator: opened.migrator,
      label,
      close: async () => {
        await spooling.close();
        await opened.store.close();
      },
    };
  },

  async vectors({ config, dir, where }: Context): Promise<Opened<VectorStore>> {
    const { weaviateUrl: url, weaviateGrpcPort: grpcPort } = config.backends;
    if (!url) {
      const { EmbeddedVectorStore } = await import("./embedded/vector-store.js");
      const store = await EmbeddedVectorStore.open(dir("vectors"));
      return { store, label: `embedded HNSW vector store (${where("vectors")})`, close: () => store.close() };
    }
    const { WeaviateVectorStore } = await import("./weaviate/vector-store.js");
    const store = await WeaviateVectorStore.open({ url, grpcPort, timeoutMs: config.pools.weaviate.timeoutMs, concurrency: config.bulkheads.weaviate });
    return { store, label: `Weaviate at ${url} (gRPC port ${grpcPort}, HNSW, vectors from callers)`, close: () => store.close() };
  },

  async cache({ config }: Context): Promise<Opened<CacheStore>> {
    const { redisUrl: url } = config.backends;
    const { connections, namespace, maxEntries } = config.cache;
    if (!url) {
      const { EmbeddedCacheStore } = await import("./embedded/cache-store.js");
      return { store: new EmbeddedCacheStore(maxEntries), label: `embedded LRU cache (in memory, ${maxEntries} entries max)` };
    }
    const { RedisCacheStore } = await import("./redis/cache-store.js");
    const store = await RedisCacheStore.open({ url, connections, namespace, timeoutMs: config.pools.redis.timeoutMs, concurrency: config.bulkheads.redis });
    return { store, label: `DragonflyDB/Redis (${connections} connections${namespace ? `, namespace ${namespace}` : ""})`, close: () => store.close() };
  },

  async stream({ config }: Context): Promise<Opened<StreamLog>> {
    const brokers = config.backends.kafkaBrokers;
    if (!brokers) {
      const { EmbeddedStreamLog } = await import("./embedded/stream-log.js");
      const store = new EmbeddedStreamLog();
      return { store, label: "embedded partitioned log (in memory)", close: () => store.close() };
    }
    const { KafkaStreamLog } = await import("./kafka/stream-log.js");
    const store = new KafkaStreamLog({ brokers, clientId: "neliti-dataplane", timeoutMs: config.pools.kafka.timeoutMs, retries: config.pools.kafka.retries });
    return { store, label: `Redpanda/Kafka at ${brokers.join(",")} (@platformatic/kafka, idempotent, acks=all)`, close: () => store.close() };
  },

  /** The graph lives in ArangoDB where configured, else beside the users in the SQL store. */
  async graph({ config }: Context, sql: SqlOpened): Promise<Opened<GraphStore>> {
    const url = config.backends.arangoUrl;
    if (!url) {
      const { SqlGraphStore } = await import("./postgres/graph-store.js");
      return { store: new SqlGraphStore(sql.store, sql.adapter), label: `${sql.label}, recursive-CTE graph`, migrator: sql.migrator, ...(sql.warming && { warming: sql.warming }) };
    }
    const { ArangoGraphStore, ArangoMigrator } = await import("./arango/graph-store.js");
    const store = ArangoGraphStore.open({ url, poolSize: config.pools.arango.max, timeoutMs: config.pools.arango.timeoutMs, concurrency: config.bulkheads.arango });
    const migrator = new ArangoMigrator(store.db, await readMigrationFiles(join(MIGRATIONS_ROOT, "arango"), "json"));
    await migrator.migrateTo();
    return { store, migrator, label: `ArangoDB at ${new URL(url).host} (AQL traversals)`, close: () => store.close() };
  },
};

/**
 * Opens every backend the configuration asks for: the real product where its URL is set, the
 * embedded store otherwise. Stores that do not depend on each other open at once.
 */
export async function openBackends(config: Config, log: Logger): Promise<Backends> {
  // Before any store's client instantiates WebAssembly (PGlite, fetch's parser): the one place
  // for the service and the backfill command; test workers set it in their setup file.
  keepWasmImportWrappersGeneric();
  countExternalMemoryInHeapLimit();
  const ctx: Context = {
    config,
    log,
    dir: (name) => (config.inMemory ? undefined : join(config.dataDir, name)),
    where: (name) => (config.inMemory ? "in memory" : `journal in ${join(config.dataDir, name)}`),
  };
  const opened: Opened<unknown>[] = [];
  const pending: Promise<unknown>[] = [];
  const track = <T>(p: Promise<Opened<T>>): Promise<Opened<T>> => {
    const tracked = p.then((o) => {
      opened.push(o);
      return o;
    });
    pending.push(tracked);
    return tracked;
  };
  const closeAll = async () => {
    for (const o of opened.reverse()) await o.close?.();
  };
  try {
    const [sql, ticks, vectors, cache, stream] = await Promise.all([
      track(OPENERS.sql(ctx)) as Promise<SqlOpened>,
      track(OPENERS.ticks(ctx)),
      track(OPENERS.vectors(ctx)),
      track(OPENERS.cache(ctx)),
      track(OPENERS.stream(ctx)),
    ]);
    const graph = await track(OPENERS.graph(ctx, sql));
    const { sqlUserStore } = await import("./postgres/user-store.js");
    const users = sqlUserStore(sql.store, sql.adapter);
    const chosen = { ticks, users: { ...sql, store: users }, graph, vectors, cache, stream };
    const migrators: Partial<Record<BackendName, Migrator>> = {};
    const warming: Backends["warming"] = {};
    for (const [name, o] of Object.entries(chosen) as [BackendName, Opened<unknown>][]) {
      if (o.migrator) migrators[name] = o.migrator;
      if (o.warming) warming[name] = o.warming;
    }
    return {
      warming,
      ticks: ticks.store,
      users,
      graph: graph.store,
      vectors: vectors.store,
      cache: cache.store,
      stream: stream.store,
      migrators,
      describe: () => mapStores(chosen, (o) => o.label),
      stores: () => mapStores(chosen, (o) => o.store as BackendProbe),
      close: closeAll,
    };
  } catch (err) {
    // A backend that opened is closed again when another fails, so a failed start leaves no sockets or locks behind.
    await Promise.allSettled(pending);
    await closeAll();
    throw err;
  }
}

function mapStores<T>(chosen: Record<BackendName, Opened<unknown>>, f: (o: Opened<unknown>) => T): Record<BackendName, T> {
  return Object.fromEntries(Object.entries(chosen).map(([name, o]) => [name, f(o)])) as Record<BackendName, T>;
}
