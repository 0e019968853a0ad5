import { type ChildProcess, execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import { Admin } from "@platformatic/kafka";
import weaviate from "weaviate-client";
import { EdgeType, VertexKind } from "../gen/neliti/dataplane/v1/graph_pb.js";
import { IngestTicksRequestSchema } from "../gen/neliti/dataplane/v1/tick_pb.js";
import { CacheService, connect, GraphService, StreamService, TickService, VectorService } from "../src/client.js";
import { uniqueSuffix } from "../test/harness/backends.js";
import { createTempClickHouseDatabase } from "../test/harness/clickhouse.js";
import { createTempDatabase } from "../test/harness/postgres.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { rowsBatch, series } from "../test/harness/ticks.js";
import { findTool, httpGet } from "../test/harness/tools.js";
import { arg, argText, machine, round, seededRandom } from "./lib.js";
import { plot } from "./plot.js";

type Sample = { t: number; rssMiB: number; lagP99Ms: number; rpcPerSecond: Record<string, number>; ticksPerSecond: number };
type GhzReport = {
  count: number;
  rps: number;
  latencyDistribution: { percentage: number; latency: number }[] | null;
  statusCodeDistribution: Record<string, number>;
  errorDistribution: Record<string, number> | null;
};

const DIM = 32;

/** Sums of a Prometheus counter by one label, from /metrics text. */
function counterBy(text: string, metric: string, label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${metric}\\{([^}]*)\\} ([0-9.e+]+)$`, "gm"))) {
    const value = new RegExp(`${label}="([^"]*)"`).exec(m[1]!)?.[1] ?? "";
    out.set(value, (out.get(value) ?? 0) + Number(m[2]));
  }
  return out;
}
const gauge = (text: string, metric: string) => Number(new RegExp(`^${metric} ([0-9.e+-]+)$`, "m").exec(text)?.[1] ?? Number.NaN);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * Sustained mixed load: tick ingest from the project's own generator (IngestTicks streams) while
 * ghz drives the unary RPCs (recent ticks, cache, publish, graph traversal, vector search), each
 * at a fixed rate, for `--seconds`. Samples the service's RSS, event-loop lag and per-RPC
 * throughput every second, draws them to a PNG, and fails if RSS or lag keep growing (last third
 * of the run against the middle third). Real backends where the stack's environment names them,
 * embedded stores otherwise.
 */
export async function run() {
  const seconds = arg("seconds", 120);
  const rps = arg("rps", 100);
  const ingestRate = arg("ingest-rate", 20_000);
  const pngPath = argText("plot", "bench/soak.png");
  const ghz = findTool("ghz");
  if (!ghz) throw new Error("ghz is needed: scripts/stack.sh install tools");

  const env: Record<string, string> = { AUTH_JWT_SECRET: "s".repeat(32), AUTH_ENABLED: "false", CACHE_NAMESPACE: `soak:${uniqueSuffix()}:` };
  const cleanups: (() => Promise<unknown>)[] = [];
  if (process.env.CLICKHOUSE_URL) {
    const db = await createTempClickHouseDatabase(process.env.CLICKHOUSE_URL);
    env.CLICKHOUSE_URL = db.url;
    cleanups.push(() => db.drop());
  }
  if (process.env.POSTGRES_URL) {
    const db = await createTempDatabase(process.env.POSTGRES_URL);
    env.POSTGRES_URL = db.url;
    cleanups.push(() => db.drop());
  }
  if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
  if (process.env.KAFKA_BROKERS) env.KAFKA_BROKERS = process.env.KAFKA_BROKERS;
  if (process.env.WEAVIATE_URL) Object.assign(env, { WEAVIATE_URL: process.env.WEAVIATE_URL, WEAVIATE_GRPC_PORT: process.env.WEAVIATE_GRPC_PORT ?? "50051" });
  const backends = ["CLICKHOUSE_URL", "POSTGRES_URL", "REDIS_URL", "KAFKA_BROKERS", "WEAVIATE_URL"].filter((k) => env[k]).map((k) => k.split("_")[0]!.toLowerCase());

  const svc = await startServerProcess(env);
  const ghzRuns: ChildProcess[] = [];
  const topic = `soak_${uniqueSuffix()}`;
  const collection = `Soak${uniqueSuffix()}`;
  try {
    const opts = { baseUrl: svc.url };
    // Fixtures the unary calls read.
    const ticks = connect(TickService, opts);
    for await (const _ of ticks.ingestTicks((async function* () {
      yield create(IngestTicksRequestSchema, { batch: rowsBatch(`soak-seed-${uniqueSuffix()}`, series(1000, { symbol: "EURUSD" })) });
    })())) void _;
    await connect(CacheService, opts).set({ key: "soak:k", value: new Uint8Array(128) });
    await connect(StreamService, opts).createTopic({ name: topic, partitions: 6 });
    const graph = connect(GraphService, opts);
    const ref = (kind: VertexKind, key: string) => ({ kind, key });
    await graph.upsertVertices({ vertices: Array.from({ length: 200 }, (_, i) => ({ ref: ref(i < 100 ? VertexKind.STRATEGY : VertexKind.INDICATOR, `v${i}`) })) });
    await graph.upsertEdges({
      edges: Array.from({ length: 99 }, (_, i) => ({ from: ref(VertexKind.STRATEGY, `v${i}`), to: ref(VertexKind.STRATEGY, `v${i + 1}`), type: EdgeType.DEPENDS_ON, weight: 1 })),
    });
    const vectors = connect(VectorService, opts);
    await vectors.ensureCollection({ name: collection, dimension: DIM, properties: [] });
    const random = seededRandom(5);
    const vec = () => Array.from({ length: DIM }, () => random() - 0.5);
    for (let b = 0; b < 5; b++) await vectors.upsertObjects({ collection, objects: Array.from({ length: 200 }, () => ({ id: randomUUID(), vector: vec(), properties: {} })) });

    // ghz for the unary RPCs, each at `rps`, through reflection.
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const calls: Record<string, unknown> = {
      "neliti.dataplane.v1.TickService/GetRecentTicks": { symbol: "EURUSD", limit: 100 },
      "neliti.dataplane.v1.CacheService/Get": { key: "soak:k" },
      "neliti.dataplane.v1.StreamService/Publish": { topic, messages: [{ key: b64("EURUSD"), value: b64("x".repeat(200)) }] },
      "neliti.dataplane.v1.GraphService/Traverse": { start: { kind: "VERTEX_KIND_STRATEGY", key: "v0" }, direction: "DIRECTION_OUTBOUND", maxDepth: 3 },
      "neliti.dataplane.v1.VectorService/SearchNearVector": { collection, vector: vec(), limit: 10 },
    };
    const address = `127.0.0.1:${svc.port}`;
    const reports = Object.entries(calls).map(
      ([call, data]) =>
        new Promise<[string, GhzReport]>((resolve, reject) => {
          const child = execFile(
            ghz,
            ["--insecure", "--call", call, "-d", JSON.stringify(data), "--rps", String(rps), "-c", "4", "-z", `${seconds}s`, "-O", "json", address],
            { maxBuffer: 64 * 1024 * 1024 },
            (err, stdout) => (err && !stdout ? reject(err) : resolve([call.split("/")[1]!, JSON.parse(stdout) as GhzReport])),
          );
          ghzRuns.push(child);
        }),
    );

    // The project's generator for the stream: batches of 500 ticks on two IngestTicks streams.
    let ingesting = true;
    const ackLatency: number[] = [];
    const ingest = [0, 1].map(async (lane) => {
      const started = performance.now();
      const sentAt = new Map<string, number>();
      let n = 0;
      async function* gen() {
        while (ingesting) {
          const id = `soak-${lane}-${n++}-${uniqueSuffix()}`;
          sentAt.set(id, performance.now());
          yield create(IngestTicksRequestSchema, { batch: rowsBatch(id, series(500, { symbol: lane ? "GBPUSD" : "EURUSD" })) });
          const due = started + ((n * 500 * 2) / ingestRate) * 1000;
          await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
        }
      }
      for await (const ack of ticks.ingestTicks(gen())) {
        const t = sentAt.get(ack.batchId);
        if (t !== undefined) ackLatency.push(performance.now() - t);
        sentAt.delete(ack.batchId);
      }
    });

    // Sample once a second.
    const samples: Sample[] = [];
    const t0 = performance.now();
    let last: { rpc: Map<string, number>; ticks: number; t: number } | undefined;
    while (performance.now() - t0 < seconds * 1000) {
      await new Promise((r) => setTimeout(r, 1000));
      const { body } = await httpGet(svc.url, "/metrics");
      const rpc = counterBy(body, "neliti_rpc_requests_total", "method");
      const ticksTotal = [...counterBy(body, "neliti_ticks_ingested_total", "outcome").values()].reduce((a, b) => a + b, 0);
      const now = performance.now();
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${svc.proc.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
      if (last) {
        const dt = (now - last.t) / 1000;
        const rpcPerSecond = Object.fromEntries([...rpc].map(([m, v]) => [m, round((v - (last!.rpc.get(m) ?? 0)) / dt, 1)]));
        samples.push({ t: round((now - t0) / 1000, 1), rssMiB: round(rss, 1), lagP99Ms: round(gauge(body, "neliti_nodejs_eventloop_lag_p99_seconds") * 1000, 2), rpcPerSecond, ticksPerSecond: round((ticksTotal - last.ticks) / dt) });
      }
      last = { rpc, ticks: ticksTotal, t: now };
    }
    ingesting = false;
    const ghzResults = Object.fromEntries(await Promise.all(reports));
    await Promise.all(ingest);

    const perRpc = Object.fromEntries(
      Object.entries(ghzResults).map(([method, r]) => {
        const p99 = r.latencyDistribution?.find((d) => d.percentage === 99)?.latency ?? Number.NaN;
        // ghz's error texts say which failures are the service's and which its own end of run.
        const failures = r.errorDistribution ?? {};
        const failed = Object.values(failures).reduce((n, c) => n + c, 0);
        return [method, { callsPerSecond: round(r.rps, 1), p99Ms: round(p99 / 1e6, 2), calls: r.count, failed, failures }];
      }),
    );
    const sortedAcks = [...ackLatency].sort((a, b) => a - b);
    const ingestSummary = {
      ticksPerSecond: round(mean(samples.map((s) => s.ticksPerSecond))),
      ackP99Ms: round(sortedAcks[Math.floor(sortedAcks.length * 0.99)] ?? Number.NaN, 2),
      batches: ackLatency.length,
    };

    // Growth: the last third against the middle third (the first third is warm-up).
    const third = Math.floor(samples.length / 3);
    const middle = samples.slice(third, 2 * third);
    const tail = samples.slice(2 * third);
    const rssGrowthMiB = round(mean(tail.map((s) => s.rssMiB)) - mean(middle.map((s) => s.rssMiB)), 1);
    const lagMiddle = mean(middle.map((s) => s.lagP99Ms));
    const lagTail = mean(tail.map((s) => s.lagP99Ms));
    const rssBound = Math.max(50, 0.2 * mean(middle.map((s) => s.rssMiB)));
    const bounded = { rss: rssGrowthMiB <= rssBound, lag: lagTail <= 2 * lagMiddle + 20 };

    const methods = Object.keys(ghzResults);
    const palette: [number, number, number][] = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75]];
    plot(pngPath, [
      { title: "Service RSS", unit: "MiB", series: [{ label: "RSS", color: [214, 39, 40], points: samples.map((s) => ({ x: s.t, y: s.rssMiB })) }] },
      {
        title: "Throughput per RPC",
        unit: "calls/s",
        series: methods.map((m, i) => ({ label: m, color: palette[i % palette.length]!, points: samples.map((s) => ({ x: s.t, y: s.rpcPerSecond[m] ?? 0 })) })),
      },
      { title: "Ticks ingested", unit: "ticks/s", series: [{ label: "ticks/s", color: [44, 160, 44], points: samples.map((s) => ({ x: s.t, y: s.ticksPerSecond })) }] },
      { title: "Event loop lag p99", unit: "ms", series: [{ label: "lag p99", color: [148, 103, 189], points: samples.map((s) => ({ x: s.t, y: s.lagP99Ms })) }] },
    ]);

    console.log(`soak: ${seconds} s, ${rps} calls/s per unary RPC (ghz, 4 connections each), ingest ${ingestRate} ticks/s on 2 streams; backends: ${backends.join(", ") || "embedded"}; ${machine()}`);
    for (const [m, r] of Object.entries(perRpc)) console.log(`  ${m.padEnd(18)} ${String(r.callsPerSecond).padStart(7)} calls/s  p99 ${r.p99Ms} ms  failed ${r.failed}/${r.calls} ${JSON.stringify(r.failures)}`);
    console.log(`  IngestTicks        ${String(ingestSummary.ticksPerSecond).padStart(7)} ticks/s ack p99 ${ingestSummary.ackP99Ms} ms (${ingestSummary.batches} batches)`);
    console.log(`  RSS ${samples[0]?.rssMiB} -> ${samples.at(-1)?.rssMiB} MiB (last third vs middle third: ${rssGrowthMiB} MiB, bound ${round(rssBound, 1)}); event-loop lag p99 middle ${round(lagMiddle, 2)} ms, last ${round(lagTail, 2)} ms`);
    console.log(`  plot: ${pngPath}`);
    const result = { bench: "soak", machine: machine(), date: new Date().toISOString(), seconds, rps, ingestRate, backends, perRpc, ingest: ingestSummary, rssGrowthMiB, lagP99MsMiddle: round(lagMiddle, 2), lagP99MsLast: round(lagTail, 2), bounded, samples };
    if (!bounded.rss || !bounded.lag) {
      console.log(JSON.stringify(result));
      throw new Error(`soak failed: ${!bounded.rss ? `RSS grew ${rssGrowthMiB} MiB over the last third` : ""} ${!bounded.lag ? `event-loop lag grew from ${round(lagMiddle, 2)} to ${round(lagTail, 2)} ms` : ""}`);
    }
    return result;
  } finally {
    for (const child of ghzRuns) child.kill();
    await svc.stop("SIGTERM");
    if (process.env.KAFKA_BROKERS) {
      const admin = new Admin({ clientId: "soak-cleanup", bootstrapBrokers: process.env.KAFKA_BROKERS.split(",") });
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.close();
    }
    if (process.env.WEAVIATE_URL) {
      const u = new URL(process.env.WEAVIATE_URL);
      const grpcPort = Number(process.env.WEAVIATE_GRPC_PORT ?? 50051);
      const admin = await weaviate.connectToCustom({ httpHost: u.hostname, httpPort: Number(u.port), grpcHost: u.hostname, grpcPort });
      await admin.collections.delete(collection).catch(() => undefined);
      await admin.close();
    }
    if (process.env.REDIS_URL) {
      const { Redis } = await import("ioredis");
      const redis = new Redis(process.env.REDIS_URL);
      const keys = await redis.keys(`${env.CACHE_NAMESPACE}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
    for (const cleanup of cleanups) await cleanup();
  }
}
