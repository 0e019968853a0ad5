import { performance } from "node:perf_hooks";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { IngestTicksRequestSchema, TickService } from "../gen/neliti/dataplane/v1/tick_pb.js";
import { createTempClickHouseDatabase } from "../test/harness/clickhouse.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { rowsBatch, series } from "../test/harness/ticks.js";
import { arg, machine, requireEnv, summarize } from "./lib.js";

/** GetRecentTicks(limit 100) latency at the client while an ingest stream runs. */
export async function run() {
  const url = requireEnv("CLICKHOUSE_URL");
  const calls = arg("calls", 20_000);
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
    const ingest = (async () => {
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
    })();

    for (let i = 0; i < 500; i++) await client.getRecentTicks({ symbol: "EURUSD", limit: 100 });
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      const r = await client.getRecentTicks({ symbol: "EURUSD", limit: 100 });
      samples.push(performance.now() - t);
      if (r.ticks.length !== 100) throw new Error(`got ${r.ticks.length} ticks`);
    }
    ingesting = false;
    await ingest;
    const latency = summarize(samples);
    console.log(`recent bench: GetRecentTicks(limit 100) x ${calls} during ingest at ${ingestRate} ticks/s (${n} batches): p50 ${latency.p50} ms, p99 ${latency.p99} ms (target p99 <= 1 ms); ${machine()}`);
    return { bench: "recent", machine: machine(), date: new Date().toISOString(), calls, ingestRate, latencyMs: latency, backgroundBatches: n };
  } finally {
    await svc.stop("SIGTERM");
    await db.drop();
  }
}
