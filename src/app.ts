import { randomBytes } from "node:crypto";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import { CacheService } from "../gen/neliti/dataplane/v1/cache_pb.js";
import { GraphService } from "../gen/neliti/dataplane/v1/graph_pb.js";
import { BackfillService, HealthReportService, SchemaService } from "../gen/neliti/dataplane/v1/ops_pb.js";
import { StreamService } from "../gen/neliti/dataplane/v1/stream_pb.js";
import { TickService } from "../gen/neliti/dataplane/v1/tick_pb.js";
import { UserService } from "../gen/neliti/dataplane/v1/user_pb.js";
import { VectorService } from "../gen/neliti/dataplane/v1/vector_pb.js";
import type { Backends } from "./backends/backends.js";
import type { BackendName } from "./ports/backend.js";
import type { Config } from "./config.js";
import { CacheDomain, LatestTickCacher } from "./domain/cache.js";
import { GraphDomain } from "./domain/graph.js";
import { RecentTicks } from "./domain/recent-ticks.js";
import { StreamDomain } from "./domain/stream.js";
import { TickHub } from "./domain/tick-hub.js";
import { TickFanOut } from "./domain/tick-fan-out.js";
import { Backfill } from "./domain/backfill.js";
import { CandleCachingTickStore } from "./domain/candle-cache.js";
import { LiveBars } from "./domain/live-bars.js";
import { PatternSearch } from "./domain/pattern-search.js";
import { PatternWriter } from "./domain/pattern-writer.js";
import { DirectTickIngest, TickDomain } from "./domain/ticks.js";
import { CredentialCache } from "./domain/credential-cache.js";
import { ModelRegistry } from "./domain/model-registry.js";
import { type UserDomain, userDomain } from "./domain/users.js";
import { STANDARD_COLLECTIONS, VectorDomain } from "./domain/vectors.js";
import { authenticate } from "./auth/interceptor.js";
import { Principals } from "./auth/principals.js";
import { LoginLimiter } from "./auth/login-limiter.js";
import { rateLimit } from "./auth/rate-limit.js";
import { HealthStatus } from "./health/grpc-health.js";
import { probeBackends } from "./health/health-report.js";
import { TickStreamConsumer, TickStreamPublisher } from "./tick-log/tick-stream.js";
import { AppendedBlocks, LoggedIds, LoggedTickIngest } from "./tick-log/tick-log.js";
import { TickLogTail } from "./tick-log/tick-log-tail.js";
import { TickLogWriter } from "./tick-log/tick-log-writer.js";
import { TickValidator } from "./tick-block/tick-validation.js";
import { whileUnavailable } from "./resilience/while-unavailable.js";
import type { Logger } from "./observability/logger.js";
import { Metrics } from "./observability/metrics.js";
import { rpcTracer } from "./observability/tracing.js";
import { ReflectionIndex, registerReflection } from "./reflection/reflection.js";
import { observe, validateRequests } from "./server/interceptors.js";
import { cacheService } from "./services/cache-service.js";
import { graphService } from "./services/graph-service.js";
import { healthReportService } from "./services/health-report-service.js";
import { backfillService } from "./services/backfill-service.js";
import { schemaService } from "./services/schema-service.js";
import { streamService } from "./services/stream-service.js";
import { tickService } from "./services/tick-service.js";
import { userService } from "./services/user-service.js";
import { vectorService } from "./services/vector-service.js";
import { VALIDITY_SHORTCUTS } from "./services/validity-shortcuts.js";
import { RESPONSE_ENCODERS } from "./services/wire-encoders.js";
import type { MessageEncoder } from "./server/grpc-transport.js";


/** Tick-log batch ids a replica remembers (a retry of one is answered DUPLICATE): minutes of a busy bridge's retries. */
const LOGGED_IDS = 200_000;

/** Ticks of its own batches a replica keeps for its writer (about 53 MB): a second or two of full-rate ingest. */
const APPENDED_TICKS = 1_000_000;

/** How long past its end a live bar waits for its last ticks before it closes without a later one. */
const LIVE_BAR_CLOSE_GRACE_MS = 1000;
/** How long a replica's start waits for the tick log's topic and its tail on a broker that is busy. */
const TICK_LOG_READY_MS = 60_000;

export const SERVICES = [TickService, UserService, GraphService, VectorService, CacheService, StreamService, SchemaService, BackfillService, HealthReportService] as const;

/** The services each store serves, for health while a store is still opening. */
const SERVICES_ON: Record<BackendName, string[]> = {
  ticks: [TickService.typeName, BackfillService.typeName],
  users: [UserService.typeName],
  graph: [GraphService.typeName],
  vectors: [VectorService.typeName],
  cache: [CacheService.typeName],
  stream: [StreamService.typeName],
};

export type App = {
  routes: (router: ConnectRouter) => void;
  interceptors: Interceptor[];
  /** Hand-written encoders for the gRPC transport's largest responses (services/wire-encoders.ts). */
  responseEncoders: ReadonlyMap<string, MessageEncoder>;
  health: HealthStatus;
  metrics: Metrics;
  /** Ends live subscriptions, the tick-stream consumer and the backend probes (shutdown). */
  stopBackground(): Promise<void>;
};

/** Creates the first admin from the environment when no user with that email exists yet. */
async function bootstrapAdmin(users: UserDomain, admin: { email: string; password: string }, log: Logger): Promise<void> {
  if (await users.accounts.getUserByEmail(admin.email)) return;
  await users.accounts.createUser({ email: admin.email, password: admin.password, displayName: "Bootstrap admin", roles: ["admin"] });
  log.info({ email: admin.email }, "created the bootstrap admin");
}

/** Wires domains over the opened backends and describes every route. Shared by the server and in-memory tests. */
export async function createApp(config: Config, backends: Backends, log: Logger): Promise<App> {
  const metrics = new Metrics();
  const hub = new TickHub(config.ticks.subscriberQueueBatches);
  const cache = new CacheDomain(backends.cache, config.cache.maxValueBytes);
  const stream = new StreamDomain(backends.stream, config.stream.maxMessageBytes, config.stream.replicationFactor);
  const recent = new RecentTicks(config.ticks.recentPerSymbol);
  const candleCache =
    config.cache.candleTtlMs > 0
      ? new CandleCachingTickStore(backends.ticks, backends.cache, { ttlMs: config.cache.candleTtlMs }, {
          chunks: (hit, miss) => {
            metrics.candleCacheChunks.inc({ result: "hit" }, hit);
            metrics.candleCacheChunks.inc({ result: "miss" }, miss);
          },
          read: (source, seconds) => metrics.candleReads.observe({ source }, seconds),
          invalidated: (n) => metrics.candleCacheInvalidations.inc(n),
        })
      : undefined;
  // Every write and bar read goes through the candle cache, so late ticks invalidate what it holds.
  const tickStore = candleCache ?? backends.ticks;
  const liveBars = new LiveBars(recent, tickStore, LIVE_BAR_CLOSE_GRACE_MS);
  const fanOut = new TickFanOut(recent, hub, [
    new LatestTickCacher(cache, log),
    liveBars,
    ...(config.tickStream.publish ? [new TickStreamPublisher(stream, log)] : []),
  ]);
  const logged = new LoggedIds(LOGGED_IDS);
  const appended = new AppendedBlocks(APPENDED_TICKS);
  const ticks = new TickDomain(
    tickStore,
    new TickValidator({ timeWindowMs: config.ticks.timeWindowMs, maxVolume: config.ticks.maxVolume }),
    config.tickLog ? new LoggedTickIngest(stream, config.tickLog.topic, logged, fanOut, appended) : new DirectTickIngest(tickStore, fanOut),
    fanOut,
    liveBars,
  );
  // Embedded mode signs sessions with a per-process secret: sessions end when the process does.
  const credentials = new CredentialCache(backends.cache);
  const users = userDomain(backends.users, config.auth.jwtSecret ?? randomBytes(32).toString("hex"), config.auth.sessionTtlSeconds, credentials);
  if (config.auth.bootstrapAdmin) await bootstrapAdmin(users, config.auth.bootstrapAdmin, log);
  const graph = new GraphDomain(backends.graph, config.graph.maxDepth);
  const vectors = new VectorDomain(backends.vectors);

  // Standard topics and collections: best effort, so a backend that is down at start does not
  // keep the rest of the service from starting.
  await stream.ensureDefaultTopics().catch((err: unknown) => log.warn({ err: String(err) }, "could not ensure the standard topics"));
  for (const spec of STANDARD_COLLECTIONS) {
    await vectors.ensureCollection(spec).catch((err: unknown) => log.warn({ err: String(err), collection: spec.name }, "could not ensure a standard collection"));
  }
  const consumer = config.tickStream.consume ? new TickStreamConsumer(stream, ticks, log, config.tickStream.group) : undefined;
  consumer?.start();
  const followers = config.tickLog && {
    topic: config.tickLog.topic,
    tail: new TickLogTail(stream, config.tickLog.topic, ticks, fanOut, logged, log, (n) => metrics.tickLogTailed.inc(n)),
    writer: new TickLogWriter(
      stream,
      tickStore,
      ticks,
      appended,
      log,
      { ...config.tickLog, group: config.tickLog.writerGroup },
      { stored: (n) => metrics.tickLogWritten.inc(n), pending: (n) => metrics.tickLogPending.set(n) },
    ),
  };
  if (followers) {
    // The topic must exist, and the tail follow it, before the service answers. A broker that is
    // only busy is asked again (three replicas creating the topic at once ran admin calls past
    // their budget); one still unavailable after TICK_LOG_READY_MS stops the start.
    await whileUnavailable(
      async () => {
        await stream.ensureTickLog(followers.topic);
        await followers.tail.start();
      },
      { forMs: TICK_LOG_READY_MS, pollMs: 200 },
    );
    followers.writer.start();
  } else if (config.backends.clickhouseUrl) {
    log.warn("ticks are stored directly, without the tick log (TICK_LOG): the ingest guarantees hold for this one process only; run replicas with TICK_LOG=true");
  }

  const patternWriter =
    config.ticks.patternSeries.length > 0
      ? new PatternWriter(liveBars, recent, tickStore, backends.vectors, log, (n) => metrics.patternsWritten.inc(n))
      : undefined;
  await patternWriter
    ?.start(config.ticks.patternSeries.map((s) => ({ ...s, broker: undefined, price: "bid" as const })))
    .catch((err: unknown) => log.warn({ err: String(err) }, "could not ensure the pattern collection; pattern writes will fail until it exists"));

  const probes = backends.stores();
  metrics.watchCircuits(() => Object.entries(probes).map(([backend, p]) => ({ backend, adapter: p.adapter, circuit: p.circuit })));
  // Keeps the backend gauges current between health reports, so a dashboard sees an outage
  // within one interval even when nobody asks for the report.
  const prober =
    config.healthProbeIntervalMs > 0
      ? setInterval(() => void probeBackends(probes, metrics).catch((err: unknown) => log.warn({ err: String(err) }, "backend probe failed")), config.healthProbeIntervalMs).unref()
      : undefined;

  const health = new HealthStatus([...SERVICES.map((s) => s.typeName)]);
  for (const [backend, ready] of Object.entries(backends.warming) as [BackendName, Promise<void>][]) health.notServingUntil(ready, SERVICES_ON[backend]);
  const reflection = new ReflectionIndex([...SERVICES, Health]);

  return {
    metrics,
    health,
    interceptors: [
      observe(metrics, log, rpcTracer(config.tracing.otlpEndpoint)),
      authenticate(new Principals(users, credentials), backends.users, log, config.auth.enabled),
      ...(config.rateLimit.perKeyRps > 0 ? [rateLimit(config.rateLimit.perKeyRps)] : []),
      validateRequests(VALIDITY_SHORTCUTS),
    ],
    responseEncoders: RESPONSE_ENCODERS,
    stopBackground: async () => {
      clearInterval(prober);
      candleCache?.close();
      hub.close();
      await consumer?.stop();
      if (followers) await Promise.all([followers.tail.stop(), followers.writer.stop()]);
      await patternWriter?.stop();
    },
    routes: (router) => {
      router.service(
        TickService,
        tickService(ticks, new PatternSearch(tickStore, backends.vectors), (ack, seconds) => {
          metrics.ingestAck.observe({ state: ack.state }, seconds);
          if (ack.state === "durable" || ack.state === "spooled") metrics.ticksIngested.inc({ outcome: ack.state }, ack.accepted);
          else if (ack.state === "rejected") metrics.rejections.inc({ service: TickService.typeName, method: "batch" });
        }),
      );
      router.service(UserService, userService(users, new ModelRegistry(backends.users), new LoginLimiter()));
      router.service(GraphService, graphService(graph));
      router.service(VectorService, vectorService(vectors));
      router.service(CacheService, cacheService(cache));
      router.service(StreamService, streamService(stream));
      router.service(SchemaService, schemaService(backends.migrators));
      router.service(BackfillService, backfillService(new Backfill(tickStore, backends.vectors, backends.cache)));
      router.service(HealthReportService, healthReportService(probes, metrics, config.embedded));
      router.service(Health, health.service());
      registerReflection(router, reflection);
    },
  };
}
