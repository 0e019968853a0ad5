import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Redis } from "ioredis";
import { CacheService } from "../gen/neliti/dataplane/v1/cache_pb.js";
import { uniqueSuffix } from "../test/harness/backends.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { arg, drive, machine, requireEnv, round } from "./lib.js";

/** Cache Get/Set through the service vs direct ioredis against the same Redis, same run. */
export async function run() {
  const url = requireEnv("REDIS_URL");
  const total = arg("ops", 20_000);
  const concurrency = arg("concurrency", 8);
  const ns = `bench:${uniqueSuffix()}:`;
  const value = new Uint8Array(128).fill(7);
  const keys = 1000;

  const redis = new Redis(url, { keyPrefix: ns, enableAutoPipelining: true });
  const svc = await startServerProcess({ REDIS_URL: url, AUTH_JWT_SECRET: "c".repeat(32), AUTH_ENABLED: "false", CACHE_NAMESPACE: ns, LOG_LEVEL: "info" });
  try {
    const cache = createClient(CacheService, createGrpcTransport({ baseUrl: svc.url }));
    for (let i = 0; i < 500; i++) await cache.get({ key: `k${i % keys}` });
    const directSet = await drive(total, concurrency, (i) => redis.set(`k${i % keys}`, Buffer.from(value), "PX", 60_000));
    const directGet = await drive(total, concurrency, (i) => redis.getBuffer(`k${i % keys}`));
    const serviceSet = await drive(total, concurrency, (i) => cache.set({ key: `k${i % keys}`, value, ttlMs: 60_000n }));
    const serviceGet = await drive(total, concurrency, (i) => cache.get({ key: `k${i % keys}` }));
    const ratio = { get: round(serviceGet.opsPerSecond / directGet.opsPerSecond), set: round(serviceSet.opsPerSecond / directSet.opsPerSecond) };
    for (const [name, r] of Object.entries({ directSet, directGet, serviceSet, serviceGet })) {
      console.log(`${name.padEnd(11)} ${String(r.opsPerSecond).padStart(7)} ops/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms`);
    }
    console.log(`ratio service/direct: get ${ratio.get}, set ${ratio.set} (target >= 0.5; p50 target <= 0.3 ms); ${concurrency} concurrent callers, 128-byte values; ${machine()}`);
    return { bench: "cache", machine: machine(), date: new Date().toISOString(), concurrency, total, directGet, directSet, serviceGet, serviceSet, ratio };
  } finally {
    await svc.stop("SIGTERM");
    const left = await redis.keys("*");
    if (left.length > 0) await redis.del(...left.map((k) => k.slice(ns.length)));
    redis.disconnect();
  }
}
