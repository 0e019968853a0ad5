import { performance } from "node:perf_hooks";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { HealthCheckRequestSchema } from "../gen/grpc/health/v1/health_pb.js";
import { GetRecentTicksRequestSchema, IngestTicksRequestSchema, TickService } from "../gen/neliti/dataplane/v1/tick_pb.js";
import { createTempClickHouseDatabase } from "../test/harness/clickhouse.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { columnsBatch, rowsBatch, series } from "../test/harness/ticks.js";
import { arg, argText, benchServer, machine, requireEnv } from "./lib.js";
import { ghzLatency, grpcBody, h2load, h2loadLatency, pin, WARM_UP_CALLS } from "./load.js";

/**
 * GetRecentTicks(limit 100) latency, idle and while an ingest stream runs (issue 17: p99 <= 1 ms
 * idle, <= 3 ms busy), with the empty RPC measured in the same conditions as the floor beneath:
 * while ingesting, client, service and ClickHouse share the two cores. The ingest runs twice,
 * row-wise batches (a decode per value) and columnar ones (a copy per column, the bridge's form).
 */
export async function run() {
  /** "embedded": the in-process tick store, so no ClickHouse shares the machine during ingest. */
  const store = argText("store", "clickhouse");
  if (store !== "clickhouse" && store !== "embedded") throw new Error(`--store clickhouse|embedded, not ${store}`);
  const calls = arg("calls", 10_000);
  /** Background ingest in ticks per second (0: none). */
  const ingestRate = arg("ingest-rate", 50_000);
  const db = store === "clickhouse" ? await createTempClickHouseDatabase(requireEnv("CLICKHOUSE_URL")) : undefined;
  const svc = await startServerProcess({ ...(db && { CLICKHOUSE_URL: db.url }), AUTH_JWT_SECRET: "b".repeat(32), AUTH_ENABLED: "false" });
  let bare: Awaited<ReturnType<typeof benchServer>> | undefined;
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

    // Latency one call at a time from h2load (C, core 1), which reads each answer without decoding
    // it, and from ghz (Go, core 1), which decodes the 100 ticks into dynamic messages (about 0.4 ms
    // of its own on this machine): the service pinned to core 0, idle first, then while each
    // ingest stream runs. This process makes the ingest stream, so it is a load generator too and
    // runs on core 1 with the others.
    // The layer beneath: bare node:http2 answering the same empty call, on core 0 beside the
    // service, measured in the same conditions. What it suffers during ingest is the machine's
    // (ClickHouse inserting and merging on both cores, the clients' core busy), not the service's.
    bare = await benchServer("floor-server.ts", ["node:http2"]);
    pin(svc.proc.pid!, 0);
    pin(bare.pid, 0);
    pin(process.pid, 1);
    const paths = { empty: "/grpc.health.v1.Health/Check", recent: "/neliti.dataplane.v1.TickService/GetRecentTicks" };
    const bodies = { empty: grpcBody(HealthCheckRequestSchema, {}), recent: grpcBody(GetRecentTicksRequestSchema, { symbol: "EURUSD", limit: 100 }) };
    const ghzCalls = { empty: { call: "grpc.health.v1.Health/Check", data: {} }, recent: { call: "neliti.dataplane.v1.TickService/GetRecentTicks", data: { symbol: "EURUSD", limit: 100 } } };
    // Warmed first, as a running service is (see WARM_UP_CALLS).
    for (const m of ["empty", "recent"] as const) h2load({ port: svc.port, pid: svc.proc.pid!, path: paths[m], body: bodies[m], calls: WARM_UP_CALLS });
    h2load({ port: bare.port, pid: bare.pid, path: paths.empty, body: bodies.empty, calls: WARM_UP_CALLS });
    const check = await client.getRecentTicks({ symbol: "EURUSD", limit: 100 });
    if (check.ticks.length !== 100) throw new Error(`got ${check.ticks.length} ticks`);

    type Latency = { p50: number; p99: number; mean: number };
    type Figures = Record<"h2load" | "ghz", Record<"recent" | "empty", Latency>> & { bareHttp2: Latency };
    const measure = async (): Promise<Figures> => {
      const figures = { h2load: {}, ghz: {} } as Figures;
      for (const m of ["recent", "empty"] as const) {
        figures.h2load[m] = await h2loadLatency({ port: svc.port, path: paths[m], body: bodies[m], calls });
        figures.ghz[m] = await ghzLatency({ port: svc.port, ...ghzCalls[m], calls });
      }
      figures.bareHttp2 = await h2loadLatency({ port: bare!.port, path: paths.empty, body: bodies.empty, calls });
      return figures;
    };
    const idle = await measure();
    const rows = ingestRate > 0 ? await ingestWhile("rows", measure) : undefined;
    const columns = ingestRate > 0 ? await ingestWhile("columns", measure) : undefined;

    const line = (f: Figures, target: number) =>
      (["h2load", "ghz"] as const)
        .map((c) => `${c.padEnd(6)} p50 ${f[c].recent.p50} ms  p99 ${f[c].recent.p99} ms${c === "h2load" ? ` (target p99 <= ${target} ms)` : ""} | empty RPC p50 ${f[c].empty.p50} p99 ${f[c].empty.p99}`)
        .concat(`bare node:http2, empty call, h2load: p50 ${f.bareHttp2.p50} ms  p99 ${f.bareHttp2.p99} ms`)
        .join("\n    ");
    console.log(`recent bench: GetRecentTicks(limit 100), ${store} tick store, ${calls} calls one at a time from each client, service on core 0, clients and the ingest stream on core 1, after ${WARM_UP_CALLS} calls of each method to warm it; ${machine()}`);
    console.log(`idle:\n    ${line(idle, 1)}`);
    for (const [form, busy] of [["rows", rows], ["columns", columns]] as const) {
      if (busy) console.log(`during ingest at ${ingestRate} ticks/s, ${form} (${busy.batches} batches of 500 from a Node client):\n    ${line(busy.result, 3)}`);
    }
    return {
      bench: "recent",
      client: { latency: "h2load (answers not decoded)", alongside: "ghz (decodes into dynamic messages)" },
      machine: machine(),
      date: new Date().toISOString(),
      store,
      calls,
      warmUpCalls: WARM_UP_CALLS,
      ingestRate,
      idle,
      busy: rows && { ...rows.result, backgroundBatches: rows.batches },
      busyColumns: columns && { ...columns.result, backgroundBatches: columns.batches },
      idle_p99_ms: idle.h2load.recent.p99,
      busy_p99_ms: rows?.result.h2load.recent.p99,
      busy_columns_p99_ms: columns?.result.h2load.recent.p99,
      bare_http2_busy_p99_ms: rows?.result.bareHttp2.p99,
    };
  } finally {
    bare?.stop();
    await svc.stop("SIGTERM");
    await db?.drop();
  }
}
