import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import { CacheService } from "../gen/neliti/dataplane/v1/cache_pb.js";
import { startServerProcess } from "../test/harness/server-process.js";
const svc = await startServerProcess({ AUTH_JWT_SECRET: "p".repeat(32), AUTH_ENABLED: "false", LOG_LEVEL: process.env.LL ?? "info" });
const t = createGrpcTransport({ baseUrl: svc.url });
const health = createClient(Health, t);
const cache = createClient(CacheService, t);
const measure = async (name: string, call: () => Promise<unknown>) => {
  for (let i = 0; i < 500; i++) await call();
  const lat: number[] = [];
  for (let i = 0; i < 3000; i++) { const s = performance.now(); await call(); lat.push(performance.now() - s); }
  lat.sort((a, b) => a - b);
  console.log(name, "p50", lat[1500]!.toFixed(3), "p99", lat[2970]!.toFixed(3));
};
await measure("health.check", () => health.check({}));
await cache.set({ key: "k", value: new Uint8Array(100) });
await measure("cache.get", () => cache.get({ key: "k" }));
await svc.stop("SIGTERM");
