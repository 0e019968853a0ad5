import { performance } from "node:perf_hooks";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { IngestTicksRequestSchema, TickService } from "../gen/neliti/dataplane/v1/tick_pb.js";
import { createTempClickHouseDatabase } from "../test/harness/clickhouse.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { rowsBatch, series } from "../test/harness/ticks.js";
import { arg, machine, requireEnv } from "./lib.js";
import { ghzLatency, pin } from "./load.js";

/** GetRecentTicks(limit 100) latency, idle and while an ingest stream runs (issue 17: p99 <= 1 ms idle, <= 3 ms busy). */
export async function run() {
  const url = requireEnv("CLICKHOUSE_URL");
  const calls = arg("calls", 10_000);
  /** Background ingest in ticks per second (0: none). */
  const ingestRate = arg("ingest-rate", 50_000);
  const db = await createTempClickHouseDatabase(url);
  const svc = await startServerProcess({ CLICKHOUSE_URL: db.url, AUTH_JWT_SECRET: "b".repeat(32), AUTH_ENABLED: "false" });
  try {
    const client = createClient(TickService, createGrpcTransport({ baseUrl: svc.url }));
    let n = 0;
    let ingesting = true;
    const seed = series(1000, { symbol: "EURUSD" });
    async function* once() {
      yield create(IngestTicksRequestSchema, { batch: rowsBatch("seed", seed) });
    }
    for await (const _ of client.ingestTicks(once())) void _;

    // Background ingest on another stream: batches of 500 ticks at `ingestRate` ticks/s.
    const startIngest = async () => {
      if (ingestRate <= 0) return;
      const started = performance.now();
      async function* gen() {
        while (ingesting) {
          yield create(IngestTicksRequestSchema, { batch: rowsBatch(`bg-${n++}`, series(500, { symbol: n % 2 ? "EURUSD" : "GBPUSD" })) });
          const due = started + ((n * 500) / ingestRate) * 1000;
          await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
        }
      }
      for await (const _ of client.ingestTicks(gen())) void _;
    };

    // Latency from ghz (Go, core 1), one call at a time, the service pinned to core 0: idle first
    // (the empty RPC as the baseline of the same run), then while the ingest stream runs.
    pin(svc.proc.pid!, 0);
    const call = { port: svc.port, call: "neliti.dataplane.v1.TickService/GetRecentTicks", data: { symbol: "EURUSD", limit: 100 }, calls };
    const emptyIdle = await ghzLatency({ port: svc.port, call: "grpc.health.v1.Health/Check", data: {}, calls });
    const idle = await ghzLatency(call);
    const check = await client.getRecentTicks({ symbol: "EURUSD", limit: 100 });
    if (check.ticks.length !== 100) throw new Error(`got ${check.ticks.length} ticks`);
    const ingest = startIngest();
    await new Promise((r) => setTimeout(r, 1000));
    const busy = await ghzLatency(call);
    ingesting = false;
    await ingest;
    console.log(`recent bench: GetRecentTicks(limit 100), ${calls} calls one at a time from ghz, service on core 0; ${machine()}`);
    console.log(`idle:                          p50 ${idle.p50} ms  p99 ${idle.p99} ms (target p99 <= 1 ms) | empty RPC p50 ${emptyIdle.p50} ms p99 ${emptyIdle.p99} ms`);
    console.log(`during ingest at ${ingestRate} ticks/s: p50 ${busy.p50} ms  p99 ${busy.p99} ms (target p99 <= 3 ms; ${n} batches of 500 from a Node client)`);
    return { bench: "recent", client: "ghz", machine: machine(), date: new Date().toISOString(), calls, ingestRate, idle, emptyIdle, busy, backgroundBatches: n, idle_p99_ms: idle.p99, busy_p99_ms: busy.p99 };
  } finally {
    await svc.stop("SIGTERM");
    await db.drop();
  }
}
