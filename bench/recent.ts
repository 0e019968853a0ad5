import { performance } from "node:perf_hooks";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { HealthCheckRequestSchema } from "../gen/grpc/health/v1/health_pb.js";
import { GetRecentTicksRequestSchema, IngestTicksRequestSchema, TickService } from "../gen/neliti/dataplane/v1/tick_pb.js";
import { createTempClickHouseDatabase } from "../test/harness/clickhouse.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { columnsBatch, rowsBatch, series } from "../test/harness/ticks.js";
import { arg, machine, requireEnv } from "./lib.js";
import { ghzLatency, grpcBody, h2load, pin, WARM_UP_CALLS } from "./load.js";

/**
 * GetRecentTicks(limit 100) latency, idle and while an ingest stream runs (issue 17: p99 <= 1 ms
 * idle, <= 3 ms busy), with the empty RPC measured in the same conditions as the floor beneath:
 * while ingesting, client, service and ClickHouse share the two cores. The ingest runs twice,
 * row-wise batches (a decode per value) and columnar ones (a copy per column, the bridge's form).
 */
export async function run() {
  const url = requireEnv("CLICKHOUSE_URL");
  const calls = arg("calls", 10_000);
  /** Background ingest in ticks per second (0: none). */
  const ingestRate = arg("ingest-rate", 50_000);
  const db = await createTempClickHouseDatabase(url);
  const svc = await startServerProcess({ CLICKHOUSE_URL: db.url, AUTH_JWT_SECRET: "b".repeat(32), AUTH_ENABLED: "false" });
  try {
    const client = createClient(TickService, createGrpcTransport({ baseUrl: svc.url }));
    const seed = series(1000, { symbol: "EURUSD" });
    async function* once() {
      yield create(IngestTicksRequestSchema, { batch: rowsBatch("seed", seed) });
    }
    for await (const _ of client.ingestTicks(once())) void _;

    // Background ingest on another stream: batches of 500 ticks at `ingestRate` ticks/s until stopped.
    const ingestWhile = async <T>(form: "rows" | "columns", work: () => Promise<T>): Promise<{ result: T; batches: number }> => {
      let n = 0;
      let ingesting = true;
      const started = performance.now();
      const batch = form === "rows" ? rowsBatch : columnsBatch;
      async function* gen() {
        while (ingesting) {
          yield create(IngestTicksRequestSchema, { batch: batch(`bg-${form}-${n++}`, series(500, { symbol: n % 2 ? "EURUSD" : "GBPUSD" })) });
          const due = started + ((n * 500) / ingestRate) * 1000;
          await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
        }
      }
      const ingest = (async () => {
        for await (const _ of client.ingestTicks(gen())) void _;
      })();
      await new Promise((r) => setTimeout(r, 1000));
      try {
        return { result: await work(), batches: n };
      } finally {
        ingesting = false;
        await ingest;
      }
    };

    // Latency from ghz (Go, core 1), one call at a time, the service pinned to core 0: idle first
    // (the empty RPC as the baseline of the same run), then while each ingest stream runs.
    pin(svc.proc.pid!, 0);
    const call = { port: svc.port, call: "neliti.dataplane.v1.TickService/GetRecentTicks", data: { symbol: "EURUSD", limit: 100 }, calls };
    const empty = { port: svc.port, call: "grpc.health.v1.Health/Check", data: {}, calls };
    // Warmed first, as a running service is (see WARM_UP_CALLS).
    const bodies = { empty: grpcBody(HealthCheckRequestSchema, {}), recent: grpcBody(GetRecentTicksRequestSchema, { symbol: "EURUSD", limit: 100 }) };
    for (const [path, body] of [["/grpc.health.v1.Health/Check", bodies.empty], ["/neliti.dataplane.v1.TickService/GetRecentTicks", bodies.recent]] as const) {
      h2load({ port: svc.port, pid: svc.proc.pid!, path, body, calls: WARM_UP_CALLS });
    }
    const emptyIdle = await ghzLatency(empty);
    const idle = await ghzLatency(call);
    // The same two calls one at a time from h2load, which does not decode the answer: ghz's
    // figures include decoding 100 ticks into dynamic messages, about 0.4 ms on this machine.
    const undecoded = (path: string, body: string) => h2load({ port: svc.port, pid: svc.proc.pid!, path, body, calls, clients: 1, streams: 1 }).meanMs;
    const h2loadIdle = {
      emptyMeanMs: undecoded("/grpc.health.v1.Health/Check", bodies.empty),
      recentMeanMs: undecoded("/neliti.dataplane.v1.TickService/GetRecentTicks", bodies.recent),
    };
    const check = await client.getRecentTicks({ symbol: "EURUSD", limit: 100 });
    if (check.ticks.length !== 100) throw new Error(`got ${check.ticks.length} ticks`);
    const busyWith = (form: "rows" | "columns") => ingestWhile(form, async () => ({ recent: await ghzLatency(call), empty: await ghzLatency(empty) }));
    const rows = ingestRate > 0 ? await busyWith("rows") : undefined;
    const columns = ingestRate > 0 ? await busyWith("columns") : undefined;
    console.log(`recent bench: GetRecentTicks(limit 100), ${calls} calls one at a time from ghz, service on core 0, after ${WARM_UP_CALLS} calls of each to warm it (h2load); ${machine()}`);
    console.log(`idle:                          p50 ${idle.p50} ms  p99 ${idle.p99} ms (target p99 <= 1 ms) | empty RPC p50 ${emptyIdle.p50} ms p99 ${emptyIdle.p99} ms`);
    console.log(`idle, h2load (no decoding):    mean ${h2loadIdle.recentMeanMs} ms | empty RPC mean ${h2loadIdle.emptyMeanMs} ms`);
    for (const [form, busy] of [["rows", rows], ["columns", columns]] as const) {
      if (!busy) continue;
      console.log(
        `during ingest at ${ingestRate} ticks/s, ${form.padEnd(7)}: p50 ${busy.result.recent.p50} ms  p99 ${busy.result.recent.p99} ms (target p99 <= 3 ms) | ` +
          `empty RPC p50 ${busy.result.empty.p50} ms p99 ${busy.result.empty.p99} ms (${busy.batches} batches of 500 from a Node client)`,
      );
    }
    const busy = rows && { ...rows.result.recent, emptyRpc: rows.result.empty, backgroundBatches: rows.batches };
    const busyColumns = columns && { ...columns.result.recent, emptyRpc: columns.result.empty, backgroundBatches: columns.batches };
    return { bench: "recent", client: { latency: "ghz", undecoded: "h2load" }, machine: machine(), date: new Date().toISOString(), calls, warmUpCalls: WARM_UP_CALLS, ingestRate, idle, emptyIdle, h2loadIdle, busy, busyColumns, idle_p99_ms: idle.p99, busy_p99_ms: busy?.p99, busy_columns_p99_ms: busyColumns?.p99 };
  } finally {
    await svc.stop("SIGTERM");
    await db.drop();
  }
}
