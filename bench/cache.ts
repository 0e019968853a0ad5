import { Redis } from "ioredis";
import { HealthCheckRequestSchema } from "../gen/grpc/health/v1/health_pb.js";
import { GetRequestSchema, MGetRequestSchema } from "../gen/neliti/dataplane/v1/cache_pb.js";
import { uniqueSuffix } from "../test/harness/backends.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { arg, cpuPerItem, drive, machine, requireEnv, round } from "./lib.js";
import { ghzLatency, grpcBody, h2load, h2loadMedian, pin, WARM_UP_CALLS } from "./load.js";

/**
 * CacheService on Redis, per call, against its own empty RPC and direct ioredis on the same Redis:
 * - Get one call at a time: p50/p99 from ghz (target p50 <= 0.3 ms), beside the empty RPC's;
 * - Get at 8 concurrent callers: the service's CPU per Get over its CPU per empty RPC, h2load
 *   (target <= 1.3);
 * - MGet of 100 keys at 8 concurrent callers: keys/s through the service (h2load) over keys/s of
 *   direct ioredis MGET of the same keys (target >= 0.5).
 * The service is pinned to core 0, every client to core 1.
 */
export async function run() {
  const url = requireEnv("REDIS_URL");
  const calls = arg("calls", 30_000);
  const rounds = arg("rounds", 3);
  const ns = `bench:${uniqueSuffix()}:`;
  const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
  const value = Buffer.alloc(128, 7);

  // Configured as the service's client is (src/backends/redis/cache-store.ts), so the direct
  // figures are the same library doing the same work: no auto-pipelining, a command timeout.
  const redis = new Redis(url, { keyPrefix: ns, enableAutoPipelining: false, commandTimeout: 1000, stringNumbers: true });
  await redis.mset(...keys.flatMap((k) => [k, value]));
  const svc = await startServerProcess({ REDIS_URL: url, AUTH_JWT_SECRET: "c".repeat(32), AUTH_ENABLED: "false", CACHE_NAMESPACE: ns, LOG_LEVEL: "info" });
  try {
    const pid = svc.proc.pid!;
    pin(pid, 0);
    pin(process.pid, 1);
    const at = { port: svc.port, pid, calls, clients: 1, streams: 8 };

    // Warmed first, the service and the direct client alike (see WARM_UP_CALLS).
    const bodies = { empty: grpcBody(HealthCheckRequestSchema, {}), get: grpcBody(GetRequestSchema, { key: "k1" }) };
    h2load({ ...at, calls: WARM_UP_CALLS, path: "/grpc.health.v1.Health/Check", body: bodies.empty });
    h2load({ ...at, calls: WARM_UP_CALLS, path: "/neliti.dataplane.v1.CacheService/Get", body: bodies.get });
    await drive(WARM_UP_CALLS, 8, () => redis.getBuffer("k1"));
    const singleEmpty = await ghzLatency({ port: svc.port, call: "grpc.health.v1.Health/Check", data: {}, calls: 5_000 });
    const singleGet = await ghzLatency({ port: svc.port, call: "neliti.dataplane.v1.CacheService/Get", data: { key: "k1" }, calls: 5_000 });
    const directSingle = await drive(5_000, 1, () => redis.getBuffer("k1"));

    const empty = h2loadMedian({ ...at, path: "/grpc.health.v1.Health/Check", body: bodies.empty }, rounds);
    const get = h2loadMedian({ ...at, path: "/neliti.dataplane.v1.CacheService/Get", body: bodies.get }, rounds);
    // The layer beneath: what ioredis itself spends per GET at the same concurrency (this process, core 1).
    const directGet = await cpuPerItem({ ioredis: process.pid }, calls, () => drive(calls, 8, () => redis.getBuffer("k1")));

    const hundred = keys.slice(0, 100);
    const mget = h2loadMedian({ ...at, calls: Math.round(calls / 10), path: "/neliti.dataplane.v1.CacheService/MGet", body: grpcBody(MGetRequestSchema, { keys: hundred }) }, rounds);
    const directMget = await drive(Math.round(calls / 10), 8, () => redis.mgetBuffer(...hundred));

    const getToEmpty = round(get.cpuMicrosPerCall / empty.cpuMicrosPerCall, 2);
    const mgetKeysPerSecond = mget.callsPerSecond * 100;
    const directMgetKeysPerSecond = directMget.opsPerSecond * 100;
    const mgetRatio = round(mgetKeysPerSecond / directMgetKeysPerSecond, 2);
    console.log(`cache bench: Redis ${url.replace(/\/\/.*@/, "//")}, 128-byte values, service on core 0, clients on core 1, after ${WARM_UP_CALLS} calls of each to warm both; ${machine()}`);
    console.log(`one call at a time (ghz):        empty RPC p50 ${singleEmpty.p50} ms p99 ${singleEmpty.p99} ms | Get p50 ${singleGet.p50} ms p99 ${singleGet.p99} ms (target p50 <= 0.3) | direct ioredis GET p50 ${directSingle.latencyMs.p50} ms`);
    console.log(`8 concurrent callers (h2load):   empty RPC ${empty.callsPerSecond} calls/s ${empty.cpuMicrosPerCall} us CPU a call | Get ${get.callsPerSecond} calls/s ${get.cpuMicrosPerCall} us CPU a call | Get/empty ${getToEmpty} (target <= 1.3) | direct ioredis GET ${directGet.result.opsPerSecond}/s, ${directGet.cpuMicrosPerItem.ioredis} us client CPU a GET`);
    console.log(`MGet of 100 keys, 8 callers:     service (h2load) ${mgetKeysPerSecond} keys/s, ${mget.cpuMicrosPerCall} us CPU a call | direct ioredis MGET ${directMgetKeysPerSecond} keys/s | ratio ${mgetRatio} (target >= 0.5)`);
    return {
      bench: "cache",
      client: { single: "ghz", concurrent: "h2load", direct: "ioredis" },
      machine: machine(),
      date: new Date().toISOString(),
      calls,
      warmUpCalls: WARM_UP_CALLS,
      rounds,
      single: { empty: singleEmpty, get: singleGet, directGetMs: directSingle.latencyMs },
      concurrent: { empty, get, directGet: { opsPerSecond: directGet.result.opsPerSecond, clientCpuMicrosPerGet: directGet.cpuMicrosPerItem.ioredis } },
      mget: { service: mget, keysPerSecond: mgetKeysPerSecond, directKeysPerSecond: directMgetKeysPerSecond },
      get_p50_ms: singleGet.p50,
      get_to_empty_cpu_ratio: getToEmpty,
      mget_ratio: mgetRatio,
    };
  } finally {
    await svc.stop("SIGTERM");
    await redis.del(...keys);
    redis.disconnect();
  }
}
