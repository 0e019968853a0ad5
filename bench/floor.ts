import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Redis } from "ioredis";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import { arg, drive, machine, requireEnv, round } from "./lib.js";

/**
 * The floor: a unary RPC whose handler does nothing, on a bare connect-node server in its own
 * process, against a direct ioredis GET on the same machine, same run. No RPC of the service can
 * be faster than this floor, so it bounds what the per-call targets (cache, recent ticks) can reach.
 */
export async function run() {
  const total = arg("ops", 20_000);
  const concurrency = arg("concurrency", 8);
  const redis = new Redis(requireEnv("REDIS_URL"), { enableAutoPipelining: true });
  const child = fork(fileURLToPath(new URL("./floor-server.ts", import.meta.url)), [], { execArgv: ["--import", "tsx"] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once("message", (m) => resolve(m as number));
      child.once("exit", (code) => reject(new Error(`floor server exited with ${code}`)));
    });
    const health = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
    const key = `bench:floor:${process.pid}`;
    await redis.set(key, "x".repeat(128), "PX", 60_000);
    for (let i = 0; i < 1000; i++) await health.check({});
    const rpcSequential = await drive(total / 4, 1, () => health.check({}));
    const rpcConcurrent = await drive(total, concurrency, () => health.check({}));
    const redisSequential = await drive(total / 4, 1, () => redis.get(key));
    const redisConcurrent = await drive(total, concurrency, () => redis.get(key));
    await redis.del(key);
    for (const [name, r] of Object.entries({ rpcSequential, rpcConcurrent, redisSequential, redisConcurrent })) {
      console.log(`${name.padEnd(16)} ${String(r.opsPerSecond).padStart(7)} calls/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms`);
    }
    const ratio = round(rpcConcurrent.opsPerSecond / redisConcurrent.opsPerSecond);
    console.log(`empty RPC / direct Redis GET (throughput, ${concurrency} concurrent callers): ${ratio}; ${machine()}`);
    return { bench: "floor", machine: machine(), date: new Date().toISOString(), concurrency, rpcSequential, rpcConcurrent, redisSequential, redisConcurrent, ratio };
  } finally {
    child.kill();
    redis.disconnect();
  }
}
