import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { Admin } from "@platformatic/kafka";
import { Code, ConnectError } from "@connectrpc/connect";
import { Redis } from "ioredis";
import { afterAll, beforeAll, it } from "vitest";
import weaviate from "weaviate-client";
import { StartPosition } from "../../gen/neliti/dataplane/v1/stream_pb.js";
import { WriteTicksRequestSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { Backend } from "../../gen/neliti/dataplane/v1/ops_pb.js";
import { VertexKind } from "../../gen/neliti/dataplane/v1/graph_pb.js";
import { CacheService, connect, GraphService, StreamService, TickService, VectorService } from "../../src/client.js";
import { type BackendId, uniqueSuffix } from "../harness/backends.js";
import { expectDrill, faultDrill } from "../harness/fault-drill.js";
import { createTempClickHouseDatabase } from "../harness/clickhouse.js";
import { createTempDatabase } from "../harness/postgres.js";
import { rowsBatch, series } from "../harness/ticks.js";
import { startServerProcess, type ServerProcess } from "../harness/server-process.js";
import { describeFaults, startBackend } from "../harness/stack-control.js";
import { one } from "../harness/streams.js";

const SECRET = { AUTH_JWT_SECRET: "f".repeat(32), AUTH_ENABLED: "false" };

/**
 * The service under drill: started on `env` (with backends probed every 500 ms) before the drill;
 * afterwards killed, the backend started again in case the drill left it down, and `cleanup` run.
 */
function serviceUnderDrill(id: BackendId, env: () => Promise<Record<string, string>>, cleanup: () => Promise<void> = async () => {}): () => ServerProcess {
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    server = await startServerProcess({ ...(await env()), HEALTH_PROBE_INTERVAL_MS: "500", ...SECRET });
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    startBackend(id);
    await cleanup();
  });
  return () => server!;
}

describeFaults("postgres", "PostgreSQL killed under load and restarted: graph and users recover, nothing acknowledged is lost", (url) => {
  let db: { url: string; drop(): Promise<void> } | undefined;
  const server = serviceUnderDrill(
    "postgres",
    async () => {
      db = await createTempDatabase(url);
      return { POSTGRES_URL: db.url };
    },
    async () => db?.drop(),
  );

  it("answers UNAVAILABLE while it is down, detects it within seconds, recovers without a restart, loses nothing", async () => {
    const graph = connect(GraphService, { baseUrl: server().url });
    const cache = connect(CacheService, { baseUrl: server().url });
    const run = uniqueSuffix();
    const result = await faultDrill(server().url, {
      backend: "postgres",
      reportAs: Backend.GRAPH,
      write: async (i) => {
        const key = `s-${run}-${i}`;
        await graph.upsertVertices({ vertices: [{ ref: { kind: VertexKind.STRATEGY, key }, properties: { i } }] }, { timeoutMs: 15_000 });
        return key;
      },
      present: (key) => graph.getVertex({ ref: { kind: VertexKind.STRATEGY, key } }).then((r) => r.vertex?.ref?.key === key),
      other: () => cache.set({ key: `other-${run}`, value: new Uint8Array([1]) }),
    });
    expectDrill(result, { recoverWithinMs: 15_000, writesFailWhileDown: true });
  });
});

describeFaults("weaviate", "Weaviate killed under load and restarted: vectors recover, nothing acknowledged is lost", (url) => {
  const collection = `Fault${uniqueSuffix()}`;
  const grpcPort = process.env.WEAVIATE_GRPC_PORT ?? "50051";
  const server = serviceUnderDrill(
    "weaviate",
    async () => ({ WEAVIATE_URL: url, WEAVIATE_GRPC_PORT: grpcPort }),
    async () => {
      const u = new URL(url);
      const admin = await weaviate.connectToCustom({ httpHost: u.hostname, httpPort: Number(u.port), grpcHost: u.hostname, grpcPort: Number(grpcPort) });
      await admin.collections.delete(collection);
      await admin.close();
    },
  );
  beforeAll(async () => {
    await connect(VectorService, { baseUrl: server().url }).ensureCollection({ name: collection, dimension: 4, properties: [] });
  });

  it("answers UNAVAILABLE while it is down, detects it within seconds, recovers without a restart, loses nothing", async () => {
    const vectors = connect(VectorService, { baseUrl: server().url });
    const cache = connect(CacheService, { baseUrl: server().url });
    const result = await faultDrill(server().url, {
      backend: "weaviate",
      reportAs: Backend.VECTORS,
      write: async (i) => {
        const id = randomUUID();
        await vectors.upsertObjects({ collection, objects: [{ id, vector: [1, i % 7, 0.5, 0.25], properties: {} }] }, { timeoutMs: 20_000 });
        return id;
      },
      present: (id) => vectors.getObject({ collection, id }).then((r) => r.object?.id === id),
      other: () => cache.get({ key: "other" }),
    });
    expectDrill(result, { recoverWithinMs: 20_000, writesFailWhileDown: true });
  });
});

describeFaults("redis", "Redis killed under load and restarted: the cache recovers, acknowledged sets survive", (url) => {
  const namespace = `drill:${uniqueSuffix()}:`;
  const server = serviceUnderDrill(
    "redis",
    async () => ({ REDIS_URL: url, CACHE_NAMESPACE: namespace }),
    async () => {
      const redis = new Redis(url);
      const keys = await redis.keys(`${namespace}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  );

  it("answers UNAVAILABLE while it is down, detects it within seconds, recovers without a restart, loses nothing", async () => {
    const cache = connect(CacheService, { baseUrl: server().url });
    const ticks = connect(TickService, { baseUrl: server().url });
    const result = await faultDrill(server().url, {
      backend: "redis",
      reportAs: Backend.CACHE,
      write: async (i) => {
        await cache.set({ key: `k${i}`, value: Uint8Array.of(i % 256) });
        return `k${i}`;
      },
      present: (key) => cache.get({ key }).then((r) => r.found),
      other: () => ticks.getRecentTicks({ symbol: "EURUSD", limit: 1 }),
    });
    expectDrill(result, { recoverWithinMs: 15_000, writesFailWhileDown: true });
  });
});

describeFaults("kafka", "Kafka killed under load and restarted: publishing recovers, acknowledged messages are all in the log", (brokers) => {
  const topic = `drill_${uniqueSuffix()}`;
  const server = serviceUnderDrill(
    "kafka",
    async () => ({ KAFKA_BROKERS: brokers, TICK_STREAM_PUBLISH: "false" }),
    async () => {
      const admin = new Admin({ clientId: "drill-cleanup", bootstrapBrokers: brokers.split(",") });
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.close();
    },
  );
  beforeAll(async () => {
    await connect(StreamService, { baseUrl: server().url }).createTopic({ name: topic, partitions: 3 });
  });

  it("answers UNAVAILABLE while it is down, detects it within seconds, recovers without a restart, loses nothing", async () => {
    const stream = connect(StreamService, { baseUrl: server().url });
    const cache = connect(CacheService, { baseUrl: server().url });
    let stored: Set<string> | undefined;
    /** Everything in the topic, read once from the beginning. */
    const readAll = async () => {
      const values = new Set<string>();
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), 15_000);
      try {
        for await (const res of stream.subscribe({ topic, start: { case: "position", value: StartPosition.EARLIEST }, maxBatch: 1000 }, { signal: ac.signal })) {
          for (const m of res.messages) values.add(new TextDecoder().decode(m.value));
        }
      } catch {
        // Aborted after the timeout: what arrived is the log.
      } finally {
        clearTimeout(timer);
      }
      return values;
    };
    const result = await faultDrill(server().url, {
      backend: "kafka",
      reportAs: Backend.STREAM,
      write: async (i) => {
        const value = `m${i}`;
        await stream.publish({ topic, messages: [{ key: new TextEncoder().encode(`k${i % 7}`), value: new TextEncoder().encode(value) }] }, { timeoutMs: 15_000 });
        return value;
      },
      present: async (value) => (stored ??= await readAll()).has(value),
      other: () => cache.get({ key: "other" }),
      // A publish in flight when the broker dies: README "Concurrent publishes".
      outcomeUnknown: Code.DeadlineExceeded,
    });
    expectDrill(result, { recoverWithinMs: 30_000, writesFailWhileDown: true });
  });
});

describeFaults("clickhouse", "ClickHouse killed under load and restarted: ingest spools, replays, and loses nothing", (url) => {
  let db: { url: string; drop(): Promise<void> } | undefined;
  const server = serviceUnderDrill(
    "clickhouse",
    async () => {
      db = await createTempClickHouseDatabase(url);
      return { CLICKHOUSE_URL: db.url };
    },
    async () => db?.drop(),
  );

  it("keeps acknowledging (spooled) while it is down, detects it within seconds, replays after, loses nothing", async () => {
    const ticks = connect(TickService, { baseUrl: server().url });
    const cache = connect(CacheService, { baseUrl: server().url });
    const symbol = `DRILL${uniqueSuffix().slice(0, 8).toUpperCase()}`;
    const base = Date.now() - 60_000;
    let stored: Set<bigint> | undefined;
    /** The symbol's tick times in ClickHouse, once the spool has replayed what it holds. */
    const readAll = async (expected: number) => {
      const deadline = Date.now() + 60_000;
      let times = new Set<bigint>();
      while (Date.now() < deadline) {
        times = new Set<bigint>();
        try {
          for await (const chunk of ticks.queryTicks({ symbol, startTimeMsc: BigInt(base - 1), endTimeMsc: BigInt(base + 10_000_000) })) {
            for (const t of chunk.ticks) times.add(t.timeMsc);
          }
        } catch (err) {
          // Until its breaker's next trial the service still answers UNAVAILABLE: ask again.
          if (ConnectError.from(err).code !== Code.Unavailable) throw err;
        }
        if (times.size >= expected) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      return times;
    };
    const acked: string[] = [];
    const result = await faultDrill(server().url, {
      backend: "clickhouse",
      reportAs: Backend.TICKS,
      write: async (i) => {
        const summary = await ticks.writeTicks(one(create(WriteTicksRequestSchema, { batch: rowsBatch(`drill-${symbol}-${i}`, series(1, { symbol }, base + i)) })));
        if (summary.durableTicks + summary.spooledTicks !== 1n) throw new Error(`batch ${i} not acknowledged: ${JSON.stringify(summary)}`);
        acked.push(String(i));
        return String(i);
      },
      present: async (i) => (stored ??= await readAll(acked.length)).has(BigInt(base + Number(i))),
      other: () => cache.get({ key: "other" }),
    });
    // The spool takes every batch while ClickHouse is down: no write fails.
    expectDrill(result, { recoverWithinMs: 30_000, writesFailWhileDown: false });
  });
});
