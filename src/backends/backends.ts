import { join } from "node:path";
import type { Config } from "../config.js";
import { MIGRATIONS_ROOT, readMigrationFiles } from "../migrations/migration-files.js";
import type { BackendProbe } from "../ports/backend.js";
import type { CacheStore } from "../ports/cache-store.js";
import type { GraphStore } from "../ports/graph-store.js";
import type { Migrator } from "../ports/migrator.js";
import type { StreamLog } from "../ports/stream-log.js";
import type { TickStore } from "../ports/tick-store.js";
import type { UserStore } from "../ports/user-store.js";
import type { VectorStore } from "../ports/vector-store.js";
import { EmbeddedCacheStore } from "./embedded/cache-store.js";
import { PgliteSqlClient } from "./embedded/pglite-client.js";
import { EmbeddedStreamLog } from "./embedded/stream-log.js";
import { EmbeddedTickStore } from "./embedded/tick-store.js";
import { EmbeddedVectorStore } from "./embedded/vector-store.js";
import { ClickHouseTickStore } from "./clickhouse/tick-store.js";
import { RedisCacheStore } from "./redis/cache-store.js";
import { KafkaStreamLog } from "./kafka/stream-log.js";
import { WeaviateVectorStore } from "./weaviate/vector-store.js";
import { ArangoGraphStore, ArangoMigrator } from "./arango/graph-store.js";
import { TickSpool } from "../ingest/spool.js";
import { SpoolingTickStore } from "../ingest/spooling-tick-store.js";
import type { Logger } from "../observability/logger.js";
import { SqlGraphStore } from "./postgres/graph-store.js";
import { SqlMigrator } from "./postgres/migrator.js";
import { PgSqlClient } from "./postgres/pg-client.js";
import type { SqlClient } from "./postgres/sql-client.js";
import { SqlUserStore } from "./postgres/user-store.js";

export type BackendName = "ticks" | "users" | "graph" | "vectors" | "cache" | "stream";

export type Backends = {
  ticks: TickStore;
  users: UserStore;
  graph: GraphStore;
  vectors: VectorStore;
  cache: CacheStore;
  stream: StreamLog;
  migrators: Partial<Record<BackendName, Migrator>>;
  /** Human-readable store per service, for the start-up banner. */
  describe(): Record<BackendName, string>;
  probes(): Record<BackendName, BackendProbe>;
  close(): Promise<void>;
};

/** Pool sizes and timeouts per backend, from the design brief's table. */
export const POOLS = {
  postgres: { min: 5, max: 20, connectTimeoutMs: 10_000, statementTimeoutMs: 10_000 },
  clickhouse: { max: 15, requestTimeoutMs: 5_000 },
  redis: { timeoutMs: 1_000 },
  kafka: { timeoutMs: 3_000, retries: 2 },
  weaviate: { max: 8, timeoutMs: 15_000 },
  arango: { max: 10, timeoutMs: 10_000 },
} as const;

/**
 * Bulkheads: calls to a backend running at once, and waiting, before more are refused with
 * UNAVAILABLE. Sized from the pools (waiting room for ten rounds of the pool), so a slow backend
 * holds a bounded share of the service's memory and requests while the others keep answering.
 * Redis pipelines over two connections, so its limit is on calls in flight, not connections.
 */
export const BULKHEADS = {
  postgres: { limit: POOLS.postgres.max, queue: POOLS.postgres.max * 10 },
  clickhouse: { limit: POOLS.clickhouse.max, queue: POOLS.clickhouse.max * 10 },
  redis: { limit: 1_000, queue: 1_000 },
  weaviate: { limit: POOLS.weaviate.max, queue: POOLS.weaviate.max * 10 },
} as const;

/**
 * Opens every backend the configuration asks for: the real product where its URL is set, the
 * embedded store otherwise.
 */
export async function openBackends(config: Config, log: Logger): Promise<Backends> {
  const b = config.backends;

  const dir = (name: string) => (config.inMemory ? undefined : join(config.dataDir, name));
  const where = (name: string) => (config.inMemory ? "in memory" : `journal in ${dir(name)}`);
  const closers: (() => Promise<void>)[] = [];

  let sql: SqlClient & { poolStats?(): { inUse: number; idle: number; max: number } };
  let sqlAdapter: string;
  if (b.postgresUrl) {
    const pgClient = new PgSqlClient(b.postgresUrl, { ...POOLS.postgres, concurrency: BULKHEADS.postgres });
    closers.push(() => pgClient.close());
    sql = pgClient;
    sqlAdapter = "postgres";
  } else {
    const lite = await PgliteSqlClient.open(dir("pglite"));
    closers.push(() => lite.close());
    sql = lite;
    sqlAdapter = "embedded";
  }
  const sqlMigrator = new SqlMigrator(sql, await readMigrationFiles(join(MIGRATIONS_ROOT, "postgres")), sqlAdapter);
  await sqlMigrator.migrateTo();

  const migrators: Partial<Record<BackendName, Migrator>> = { users: sqlMigrator, graph: sqlMigrator };
  let ticks: TickStore;
  let ticksLabel: string;
  if (b.clickhouseUrl) {
    const opened = await ClickHouseTickStore.open(
      {
        url: b.clickhouseUrl,
        maxConnections: POOLS.clickhouse.max,
        requestTimeoutMs: POOLS.clickhouse.requestTimeoutMs,
        concurrency: BULKHEADS.clickhouse,
        commit: {
          maxRows: config.ingest.flushRows,
          maxDelayMs: config.ingest.flushMs,
          maxPendingRows: config.ingest.maxPendingRows,
          concurrency: config.ingest.flushConcurrency,
        },
      },
      await readMigrationFiles(join(MIGRATIONS_ROOT, "clickhouse")),
    );
    const spool = await TickSpool.open(join(config.dataDir, "spool"), config.ingest.spoolMaxBytes);
    const spooling = new SpoolingTickStore(opened.store, spool, log);
    closers.push(async () => {
      await spooling.close();
      await opened.store.close();
    });
    ticks = spooling;
    migrators.ticks = opened.migrator;
    ticksLabel = `ClickHouse ${opened.store.caps.version} (${opened.store.caps.modern ? "DateTime64, codecs, query parameters" : "legacy schema: Int64 ms, no codecs, hex-escaped literals"})`;
  } else {
    const embedded = await EmbeddedTickStore.open(dir("ticks"));
    closers.push(() => embedded.close());
    ticks = embedded;
    ticksLabel = `embedded tick store (${where("ticks")})`;
  }
  let vectors: VectorStore;
  let vectorsLabel: string;
  if (b.weaviateUrl) {
    const weaviateStore = await WeaviateVectorStore.open({ url: b.weaviateUrl, grpcPort: b.weaviateGrpcPort, timeoutMs: POOLS.weaviate.timeoutMs, concurrency: BULKHEADS.weaviate });
    closers.push(() => weaviateStore.close());
    vectors = weaviateStore;
    vectorsLabel = `Weaviate at ${b.weaviateUrl} (gRPC port ${b.weaviateGrpcPort}, HNSW, vectors from callers)`;
  } else {
    const embedded = await EmbeddedVectorStore.open(dir("vectors"));
    closers.push(() => embedded.close());
    vectors = embedded;
    vectorsLabel = `embedded HNSW vector store (${where("vectors")})`;
  }
  let cache: CacheStore;
  let cacheLabel: string;
  if (b.redisUrl) {
    const redis = await RedisCacheStore.open({ url: b.redisUrl, connections: config.cache.connections, namespace: config.cache.namespace, timeoutMs: POOLS.redis.timeoutMs, concurrency: BULKHEADS.redis });
    closers.push(() => redis.close());
    cache = redis;
    cacheLabel = `DragonflyDB/Redis (${config.cache.connections} auto-pipelined connections${config.cache.namespace ? `, namespace ${config.cache.namespace}` : ""})`;
  } else {
    cache = new EmbeddedCacheStore(config.cache.maxEntries);
    cacheLabel = `embedded LRU cache (in memory, ${config.cache.maxEntries} entries max)`;
  }
  let stream: StreamLog;
  let streamLabel: string;
  if (b.kafkaBrokers) {
    const kafka = new KafkaStreamLog({ brokers: b.kafkaBrokers, clientId: "neliti-dataplane", timeoutMs: POOLS.kafka.timeoutMs, retries: POOLS.kafka.retries });
    closers.push(() => kafka.close());
    stream = kafka;
    streamLabel = `Redpanda/Kafka at ${b.kafkaBrokers.join(",")} (@platformatic/kafka, idempotent, acks=all)`;
  } else {
    const embedded = new EmbeddedStreamLog();
    closers.push(() => embedded.close());
    stream = embedded;
    streamLabel = "embedded partitioned log (in memory)";
  }

  const users = new SqlUserStore(sql, sqlAdapter);
  const sqlLabel = sqlAdapter === "postgres" ? "PostgreSQL" : `PGlite (embedded PostgreSQL${config.inMemory ? ", in memory" : ` in ${dir("pglite")}`})`;
  let graph: GraphStore = new SqlGraphStore(sql, sqlAdapter);
  let graphLabel = `${sqlLabel}, recursive-CTE graph`;
  if (b.arangoUrl) {
    const arango = ArangoGraphStore.open({ url: b.arangoUrl, poolSize: POOLS.arango.max, timeoutMs: POOLS.arango.timeoutMs });
    const arangoMigrator = new ArangoMigrator(arango.db, await readMigrationFiles(join(MIGRATIONS_ROOT, "arango"), "json"));
    await arangoMigrator.migrateTo();
    closers.push(() => arango.close());
    graph = arango;
    migrators.graph = arangoMigrator;
    graphLabel = `ArangoDB at ${new URL(b.arangoUrl).host} (AQL traversals)`;
  }

  const backends: Backends = {
    ticks,
    users,
    graph,
    vectors,
    cache,
    stream,
    migrators,
    describe: () => ({
      ticks: ticksLabel,
      users: sqlLabel,
      graph: graphLabel,
      vectors: vectorsLabel,
      cache: cacheLabel,
      stream: streamLabel,
    }),
    probes: () => ({ ticks, users, graph, vectors, cache, stream }),
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
  return backends;
}
