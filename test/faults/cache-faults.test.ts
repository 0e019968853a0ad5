import { performance } from "node:perf_hooks";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, expect, it } from "vitest";
import { WriteTicksRequestSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { CacheService, connect, TickService } from "../../src/client.js";
import { startServerProcess, type ServerProcess } from "../harness/server-process.js";
import { describeFaults, killBackend, startBackend } from "../harness/stack-control.js";
import { rowsBatch, series } from "../harness/ticks.js";
import { uniqueSuffix } from "../harness/backends.js";
import { one } from "../harness/streams.js";

describeFaults("redis", "the cache fails fast when Redis is down and recovers by itself", (url) => {
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop("SIGKILL");
    startBackend("redis");
  });

  it("answers UNAVAILABLE at once while Redis is down, keeps ingesting, and recovers without a restart", async () => {
    server = await startServerProcess({ REDIS_URL: url, AUTH_JWT_SECRET: "r".repeat(32), AUTH_ENABLED: "false", CACHE_NAMESPACE: `fault:${uniqueSuffix()}:` });
    const cache = connect(CacheService, { baseUrl: server.url });
    const ticks = connect(TickService, { baseUrl: server.url });
    await cache.set({ key: "k", value: new Uint8Array([1]) });

    killBackend("redis");
    const failures: { code: Code; ms: number; retryAfter: string | null }[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const err = await cache.get({ key: "k" }).catch((e: unknown) => e);
      failures.push({ code: (err as ConnectError).code, ms: performance.now() - t, retryAfter: (err as ConnectError).metadata?.get("retry-after-ms") ?? null });
    }
    expect(failures.every((f) => f.code === Code.Unavailable)).toBe(true);
    expect(failures.every((f) => f.retryAfter !== null)).toBe(true);
    // Once the breaker is open, calls do not wait for the 1 s timeout.
    expect(Math.max(...failures.slice(3).map((f) => f.ms))).toBeLessThan(100);

    const summary = await ticks.writeTicks(one(create(WriteTicksRequestSchema, { batch: rowsBatch(`cache-down-${uniqueSuffix()}`, series(5, { symbol: "CDOWN" })) })));
    expect(summary.durableTicks).toBe(5n);

    startBackend("redis");
    const deadline = Date.now() + 15_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      recovered = await cache.set({ key: "k2", value: new Uint8Array([2]) }).then(
        () => true,
        () => false,
      );
      if (!recovered) await new Promise((r) => setTimeout(r, 250));
    }
    expect(recovered).toBe(true);
    expect((await cache.get({ key: "k2" })).found).toBe(true);
  });
});
