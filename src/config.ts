import { z } from "zod";

/**
 * One typed configuration, read from the environment once at start-up. Every value has a default
 * that gives embedded development mode; setting a backend URL switches that backend to the real
 * product. A bad value stops the start with the variable's name and what was expected.
 */

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const optionalUrl = z.url().optional();

/** Bar widths by the names traders write (PATTERN_SERIES, the backfill command) and the proto's Timeframe uses. */
export const TIMEFRAME_NAMES = { M1: 60_000, M5: 300_000, M15: 900_000, H1: 3_600_000, H4: 14_400_000, D1: 86_400_000 } as const;

/** "EURUSD:M1,GBPUSD:H1": symbols as the tick rules allow them, each with a timeframe name. */
const SERIES_LIST = new RegExp(`^([A-Za-z0-9][A-Za-z0-9._#-]{0,31}:(${Object.keys(TIMEFRAME_NAMES).join("|")})(,|$))*$`);
const SERIES_LIST_RULE = `SYMBOL:TIMEFRAME entries (${Object.keys(TIMEFRAME_NAMES).join(", ")}) separated by commas`;

/** The series of a SYMBOL:TIMEFRAME list (PATTERN_SERIES, the backfill's --series); undefined when it is not one. */
export function seriesList(text: string): { symbol: string; timeframeMs: number }[] | undefined {
  if (!SERIES_LIST.test(text)) return undefined;
  return text
    .split(",")
    .filter((entry) => entry !== "")
    .map((entry) => {
      const [symbol, timeframe] = entry.split(":") as [string, keyof typeof TIMEFRAME_NAMES];
      return { symbol, timeframeMs: TIMEFRAME_NAMES[timeframe] };
    });
}

/** The topic the MT5 bridge and the tick publisher write ticks to, and the tick log's by default. */
export const TICK_TOPIC = "mt5_tick_stream";

/** COMPRESS_MIN_BYTES that no message reaches: responses are never compressed. */
export const COMPRESSION_OFF = 2 ** 31 - 1;

const envSchema = z.object({
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: int(0, 65535).default(50051),
  DATA_DIR: z.string().min(1).default("./data"),
  IN_MEMORY: bool.default(false),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
  MAX_MESSAGE_BYTES: int(1024, 256 * 1024 * 1024).default(32 * 1024 * 1024),
  HTTP2_WINDOW_BYTES: int(65535, 2 ** 31 - 1).default(16 * 1024 * 1024),
  // Off by default: on loopback and LAN, gzip costs more CPU than the bytes it saves (bench range).
  COMPRESS_MIN_BYTES: int(0, COMPRESSION_OFF).default(COMPRESSION_OFF),
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),
  HEALTH_PROBE_INTERVAL_MS: int(0, 3_600_000).default(5_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  RATE_LIMIT_PER_KEY_RPS: int(0, 10_000_000).default(0),

  CLICKHOUSE_URL: optionalUrl,
  POSTGRES_URL: optionalUrl,
  ARANGO_URL: optionalUrl,
  WEAVIATE_URL: optionalUrl,
  WEAVIATE_GRPC_PORT: int(1, 65535).default(50051),
  REDIS_URL: optionalUrl,
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, "expected host:port[,host:port...]")
    .optional(),

  // The product's pool table (PostgreSQL 5-20, ClickHouse at most 15, ...) as defaults.
  POSTGRES_POOL_MIN: int(0, 1000).default(5),
  POSTGRES_POOL_MAX: int(1, 1000).default(20),
  POSTGRES_CONNECT_TIMEOUT_MS: int(100, 600_000).default(10_000),
  POSTGRES_STATEMENT_TIMEOUT_MS: int(100, 3_600_000).default(10_000),
  CLICKHOUSE_MAX_CONNECTIONS: int(1, 1000).default(15),
  CLICKHOUSE_REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(5_000),
  REDIS_TIMEOUT_MS: int(10, 600_000).default(1_000),
  REDIS_MAX_IN_FLIGHT: int(1, 1_000_000).default(1_000),
  KAFKA_TIMEOUT_MS: int(100, 600_000).default(3_000),
  KAFKA_RETRIES: int(0, 100).default(2),
  WEAVIATE_MAX_CONCURRENCY: int(1, 1000).default(8),
  WEAVIATE_TIMEOUT_MS: int(100, 600_000).default(15_000),
  ARANGO_MAX_CONNECTIONS: int(1, 1000).default(10),
  ARANGO_TIMEOUT_MS: int(100, 600_000).default(10_000),
  BULKHEAD_QUEUE_ROUNDS: int(0, 1000).default(10),

  RECENT_TICKS_PER_SYMBOL: int(1, 1_000_000).default(10_000),
  TICK_TIME_WINDOW_MS: int(1000, 10 * 365 * 86_400_000).default(7 * 86_400_000),
  TICK_MAX_VOLUME: z.coerce.number().positive().default(1e9),
  SUBSCRIBER_QUEUE_BATCHES: int(1, 100_000).default(1024),
  INGEST_FLUSH_ROWS: int(1, 10_000_000).default(100_000),
  INGEST_FLUSH_MS: int(0, 60_000).default(5),
  INGEST_MAX_PENDING_ROWS: int(1, 100_000_000).default(1_000_000),
  INGEST_FLUSH_CONCURRENCY: int(1, 64).default(2),
  SPOOL_MAX_BYTES: int(0, 2 ** 50).default(1024 * 1024 * 1024),
  TICK_STREAM_PUBLISH: bool.optional(),
  TICK_STREAM_CONSUME: bool.default(false),
  TICK_STREAM_GROUP: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, "a Kafka group id").default("neliti-tick-ingest"),
  TICK_LOG: bool.default(false),
  TICK_LOG_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, "a Kafka topic name").default(TICK_TOPIC),
  TICK_LOG_WRITER_GROUP: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, "a Kafka group id").default("neliti-tick-writer"),
  TICK_LOG_FLUSH_MS: int(0, 60_000).default(1000),
  // Above CLICKHOUSE_REQUEST_TIMEOUT_MS (checked below): see TickLogWriter.
  TICK_LOG_HANDOVER_MS: int(0, 600_000).default(6000),
  REPLICAS: int(1, 1000).default(1),
  CACHE_MAX_VALUE_BYTES: int(1, 512 * 1024 * 1024).default(1024 * 1024),
  CACHE_MAX_ENTRIES: int(1, 100_000_000).default(1_000_000),
  CACHE_NAMESPACE: z.string().regex(/^[A-Za-z0-9:_-]*$/, "letters, digits, ':', '_' and '-' only").default(""),
  CACHE_CONNECTIONS: int(1, 64).default(2),
  CANDLE_CACHE_TTL_MS: int(0, 30 * 86_400_000).default(6 * 3_600_000),
  // "EURUSD:M1,GBPUSD:H1": series whose pattern is written at every bar close (bars over every broker, bid).
  PATTERN_SERIES: z
    .string()
    .regex(SERIES_LIST, SERIES_LIST_RULE)
    .default(""),
  STREAM_MAX_MESSAGE_BYTES: int(1, 64 * 1024 * 1024).default(1024 * 1024),
  STREAM_REPLICATION_FACTOR: int(1, 16).default(1),
  GRAPH_MAX_DEPTH: int(1, 64).default(6),
  AUTH_JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SESSION_TTL_SECONDS: int(60, 30 * 86_400).default(3600),
  AUTH_ENABLED: bool.optional(),
  BOOTSTRAP_ADMIN_EMAIL: z.email().optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
});

export type Config = {
  host: string;
  port: number;
  dataDir: string;
  inMemory: boolean;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  /** `clientCaFile`: mutual TLS, every client must present a certificate signed by this CA. */
  tls: { certFile: string; keyFile: string; clientCaFile: string | undefined } | undefined;
  maxMessageBytes: number;
  http2WindowBytes: number;
  compressMinBytes: number;
  shutdownGraceMs: number;
  /** How often backends are probed for the health gauges; 0: only when the report is asked for. */
  healthProbeIntervalMs: number;
  /** OTLP/HTTP collector for RPC traces; unset: no tracing. */
  tracing: { otlpEndpoint: string | undefined };
  /** Requests per second per API key or user; 0: no limit. */
  rateLimit: { perKeyRps: number };
  backends: {
    clickhouseUrl: string | undefined;
    postgresUrl: string | undefined;
    arangoUrl: string | undefined;
    weaviateUrl: string | undefined;
    weaviateGrpcPort: number;
    redisUrl: string | undefined;
    kafkaBrokers: string[] | undefined;
  };
  /** Connections and timeouts per backend. */
  pools: {
    postgres: { min: number; max: number; connectTimeoutMs: number; statementTimeoutMs: number };
    clickhouse: { max: number; requestTimeoutMs: number };
    redis: { timeoutMs: number };
    kafka: { timeoutMs: number; retries: number };
    weaviate: { max: number; timeoutMs: number };
    arango: { max: number; timeoutMs: number };
  };
  /**
   * Calls to a backend running at once, and waiting, before more are refused with UNAVAILABLE:
   * the pool's size, and BULKHEAD_QUEUE_ROUNDS rounds of it waiting. A slow backend so holds a
   * bounded share of memory and requests while the others keep answering. Redis pipelines over
   * few connections, so its limit is on calls in flight, not connections.
   */
  bulkheads: Record<"postgres" | "clickhouse" | "redis" | "weaviate" | "arango", { limit: number; queue: number }>;
  ticks: {
    recentPerSymbol: number;
    timeWindowMs: number;
    maxVolume: number;
    subscriberQueueBatches: number;
    /** Series whose pattern vector is written at every bar close. */
    patternSeries: { symbol: string; timeframeMs: number }[];
  };
  ingest: { flushRows: number; flushMs: number; maxPendingRows: number; flushConcurrency: number; spoolMaxBytes: number };
  tickStream: { publish: boolean; consume: boolean; group: string };
  /**
   * The tick log as the ack point (mt5_tick_stream): ingest acknowledges once the broker has a
   * batch, a consumer group writes the log into the tick store, and every replica follows it.
   * Undefined: ingest stores directly, which holds its guarantees for one process only.
   */
  tickLog: { topic: string; writerGroup: string; flushMs: number; handoverMs: number } | undefined;
  /** How many service processes share the backends (checked against what holds across them). */
  replicas: number;
  /** candleTtlMs: lifetime of cached closed bars; 0 turns the candle cache off. */
  cache: { maxValueBytes: number; maxEntries: number; namespace: string; connections: number; candleTtlMs: number };
  stream: { maxMessageBytes: number; replicationFactor: number };
  graph: { maxDepth: number };
  auth: {
    jwtSecret: string | undefined;
    sessionTtlSeconds: number;
    /** On by default everywhere but embedded development mode. */
    enabled: boolean;
    bootstrapAdmin: { email: string; password: string } | undefined;
  };
  /** True when no backend URL is set: every service runs on in-process stores. */
  embedded: boolean;
};

const bulkhead = (poolSize: number, queueRounds: number) => ({ limit: poolSize, queue: poolSize * queueRounds });

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const variable = issue.path.join(".");
      const got = env[variable];
      return `  ${variable}: ${issue.message}${got === undefined ? "" : ` (got ${JSON.stringify(got)})`}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const embedded = [e.CLICKHOUSE_URL, e.POSTGRES_URL, e.ARANGO_URL, e.WEAVIATE_URL, e.REDIS_URL, e.KAFKA_BROKERS].every((v) => v === undefined);
  if (!embedded && e.AUTH_JWT_SECRET === undefined) {
    throw new ConfigError(
      "invalid configuration:\n  AUTH_JWT_SECRET: required when any production backend is configured (at least 32 random characters)",
    );
  }
  if ((e.BOOTSTRAP_ADMIN_EMAIL === undefined) !== (e.BOOTSTRAP_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError("invalid configuration:\n  BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together");
  }
  if ((e.TLS_CERT_FILE === undefined) !== (e.TLS_KEY_FILE === undefined)) {
    throw new ConfigError("invalid configuration:\n  TLS_CERT_FILE and TLS_KEY_FILE must be set together");
  }
  if (e.TLS_CLIENT_CA_FILE !== undefined && e.TLS_CERT_FILE === undefined) {
    throw new ConfigError("invalid configuration:\n  TLS_CLIENT_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE (mutual TLS is on top of TLS)");
  }
  if (e.TICK_LOG && e.KAFKA_BROKERS === undefined) {
    throw new ConfigError("invalid configuration:\n  TICK_LOG: needs KAFKA_BROKERS (the log is the mt5_tick_stream topic)");
  }
  if (e.TICK_LOG && e.TICK_STREAM_CONSUME) {
    throw new ConfigError("invalid configuration:\n  TICK_STREAM_CONSUME: not with TICK_LOG, whose writer already stores everything published to mt5_tick_stream");
  }
  if (e.POSTGRES_POOL_MIN > e.POSTGRES_POOL_MAX) {
    throw new ConfigError(`invalid configuration:\n  POSTGRES_POOL_MIN: ${e.POSTGRES_POOL_MIN} is above POSTGRES_POOL_MAX (${e.POSTGRES_POOL_MAX})`);
  }
  // A writer that hands a partition over before the old owner's INSERT has timed out could store
  // the same records alongside it (TickLogWriter).
  if (e.TICK_LOG && e.TICK_LOG_HANDOVER_MS <= e.CLICKHOUSE_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      `invalid configuration:\n  TICK_LOG_HANDOVER_MS: ${e.TICK_LOG_HANDOVER_MS} must be above CLICKHOUSE_REQUEST_TIMEOUT_MS (${e.CLICKHOUSE_REQUEST_TIMEOUT_MS}): a new owner waits out the old owner's last INSERT`,
    );
  }
  if (e.REPLICAS > 1 && embedded) {
    throw new ConfigError(`invalid configuration:\n  REPLICAS: ${e.REPLICAS} replicas need shared backends; embedded stores belong to one process`);
  }
  if (e.REPLICAS > 1 && e.CLICKHOUSE_URL !== undefined && !e.TICK_LOG) {
    throw new ConfigError(
      `invalid configuration:\n  REPLICAS: ${e.REPLICAS} replicas need TICK_LOG=true. Without the log a batch retried on another replica can be stored twice, recent ticks and live subscriptions show one replica's ingest only, and batches spooled while ClickHouse is down wait on one replica's disk (README, "Replicas")`,
    );
  }
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir: e.DATA_DIR,
    inMemory: e.IN_MEMORY,
    logLevel: e.LOG_LEVEL,
    tls: e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE, clientCaFile: e.TLS_CLIENT_CA_FILE } : undefined,
    maxMessageBytes: e.MAX_MESSAGE_BYTES,
    http2WindowBytes: e.HTTP2_WINDOW_BYTES,
    compressMinBytes: e.COMPRESS_MIN_BYTES,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    healthProbeIntervalMs: e.HEALTH_PROBE_INTERVAL_MS,
    rateLimit: { perKeyRps: e.RATE_LIMIT_PER_KEY_RPS },
    tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT },
    backends: {
      clickhouseUrl: e.CLICKHOUSE_URL,
      postgresUrl: e.POSTGRES_URL,
      arangoUrl: e.ARANGO_URL,
      weaviateUrl: e.WEAVIATE_URL,
      weaviateGrpcPort: e.WEAVIATE_GRPC_PORT,
      redisUrl: e.REDIS_URL,
      kafkaBrokers: e.KAFKA_BROKERS?.split(","),
    },
    pools: {
      postgres: { min: e.POSTGRES_POOL_MIN, max: e.POSTGRES_POOL_MAX, connectTimeoutMs: e.POSTGRES_CONNECT_TIMEOUT_MS, statementTimeoutMs: e.POSTGRES_STATEMENT_TIMEOUT_MS },
      clickhouse: { max: e.CLICKHOUSE_MAX_CONNECTIONS, requestTimeoutMs: e.CLICKHOUSE_REQUEST_TIMEOUT_MS },
      redis: { timeoutMs: e.REDIS_TIMEOUT_MS },
      kafka: { timeoutMs: e.KAFKA_TIMEOUT_MS, retries: e.KAFKA_RETRIES },
      weaviate: { max: e.WEAVIATE_MAX_CONCURRENCY, timeoutMs: e.WEAVIATE_TIMEOUT_MS },
      arango: { max: e.ARANGO_MAX_CONNECTIONS, timeoutMs: e.ARANGO_TIMEOUT_MS },
    },
    bulkheads: {
      postgres: bulkhead(e.POSTGRES_POOL_MAX, e.BULKHEAD_QUEUE_ROUNDS),
      clickhouse: bulkhead(e.CLICKHOUSE_MAX_CONNECTIONS, e.BULKHEAD_QUEUE_ROUNDS),
      redis: { limit: e.REDIS_MAX_IN_FLIGHT, queue: e.REDIS_MAX_IN_FLIGHT },
      weaviate: bulkhead(e.WEAVIATE_MAX_CONCURRENCY, e.BULKHEAD_QUEUE_ROUNDS),
      arango: bulkhead(e.ARANGO_MAX_CONNECTIONS, e.BULKHEAD_QUEUE_ROUNDS),
    },
    ticks: {
      recentPerSymbol: e.RECENT_TICKS_PER_SYMBOL,
      timeWindowMs: e.TICK_TIME_WINDOW_MS,
      maxVolume: e.TICK_MAX_VOLUME,
      subscriberQueueBatches: e.SUBSCRIBER_QUEUE_BATCHES,
      patternSeries: seriesList(e.PATTERN_SERIES)!,
    },
    ingest: {
      flushRows: e.INGEST_FLUSH_ROWS,
      flushMs: e.INGEST_FLUSH_MS,
      maxPendingRows: e.INGEST_MAX_PENDING_ROWS,
      flushConcurrency: e.INGEST_FLUSH_CONCURRENCY,
      spoolMaxBytes: e.SPOOL_MAX_BYTES,
    },
    // Publishing every tick to an in-memory log would only grow memory: on by default with Kafka only.
    // With the log, ingest publishes to the topic itself and the writer consumes it.
    tickStream: { publish: !e.TICK_LOG && (e.TICK_STREAM_PUBLISH ?? e.KAFKA_BROKERS !== undefined), consume: e.TICK_STREAM_CONSUME, group: e.TICK_STREAM_GROUP },
    tickLog: e.TICK_LOG ? { topic: e.TICK_LOG_TOPIC, writerGroup: e.TICK_LOG_WRITER_GROUP, flushMs: e.TICK_LOG_FLUSH_MS, handoverMs: e.TICK_LOG_HANDOVER_MS } : undefined,
    replicas: e.REPLICAS,
    cache: { maxValueBytes: e.CACHE_MAX_VALUE_BYTES, maxEntries: e.CACHE_MAX_ENTRIES, namespace: e.CACHE_NAMESPACE, connections: e.CACHE_CONNECTIONS, candleTtlMs: e.CANDLE_CACHE_TTL_MS },
    stream: { maxMessageBytes: e.STREAM_MAX_MESSAGE_BYTES, replicationFactor: e.STREAM_REPLICATION_FACTOR },
    graph: { maxDepth: e.GRAPH_MAX_DEPTH },
    auth: {
      jwtSecret: e.AUTH_JWT_SECRET,
      sessionTtlSeconds: e.SESSION_TTL_SECONDS,
      enabled: e.AUTH_ENABLED ?? !embedded,
      bootstrapAdmin: e.BOOTSTRAP_ADMIN_EMAIL && e.BOOTSTRAP_ADMIN_PASSWORD ? { email: e.BOOTSTRAP_ADMIN_EMAIL, password: e.BOOTSTRAP_ADMIN_PASSWORD } : undefined,
    },
    embedded,
  };
}
