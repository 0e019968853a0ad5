import { execFileSync } from "node:child_process";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { Backend, BackendStatus } from "../../gen/neliti/dataplane/v1/ops_pb.js";
import { WriteTicksRequestSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { Direction, EdgeType, VertexKind } from "../../gen/neliti/dataplane/v1/graph_pb.js";
import { StartPosition } from "../../gen/neliti/dataplane/v1/stream_pb.js";
import {
  CacheService,
  connect,
  GraphService,
  HealthReportService,
  SchemaService,
  StreamService,
  TickService,
  UserService,
  VectorService,
} from "../../src/client.js";
import { startServerProcess, type ServerProcess } from "../harness/server-process.js";
import { findTool } from "../harness/tools.js";
import { rowsBatch, series } from "../harness/ticks.js";
import { httpGet } from "../harness/tools.js";
import { one } from "../harness/streams.js";

describe("the real server over HTTP/2 (embedded mode)", () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServerProcess({ MAX_MESSAGE_BYTES: String(1024 * 1024) });
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
  });

  it("prints a banner naming development mode and each service's store", () => {
    const banner = server.logs.join("\n");
    expect(banner).toContain("DEVELOPMENT MODE");
    for (const s of ["ticks", "users", "graph", "vectors", "cache", "stream"]) expect(banner).toMatch(new RegExp(`\\n\\s+${s}\\s+\\S`));
  });

  it("answers every service through the generated client", async () => {
    const opts = { baseUrl: server.url };
    const ticks = connect(TickService, opts);
    const now = Date.now();
    const summary = await ticks.writeTicks(one(create(WriteTicksRequestSchema, { batch: rowsBatch("e2e-1", series(10, { symbol: "E2E" }, now)) })));
    expect(summary.durableTicks).toBe(10n);
    expect((await ticks.getRecentTicks({ symbol: "E2E", limit: 3 })).ticks.map((t) => Number(t.timeMsc))).toEqual([now, now - 1, now - 2]);

    const users = connect(UserService, opts);
    const { user } = await users.createUser({ email: "e2e@example.com", password: "correct horse battery", roles: ["trader"] });
    const { session } = await users.authenticate({ email: "e2e@example.com", password: "correct horse battery" });
    expect((await users.validateSession({ token: session!.token })).user?.id).toBe(user!.id);
    await users.registerModel({ name: "m", version: "1", modelType: "xgb", performanceMetrics: { auc: 0.7 } });
    expect((await users.getModel({ name: "m" })).model?.performanceMetrics).toEqual({ auc: 0.7 });

    const graph = connect(GraphService, opts);
    await graph.upsertVertices({
      vertices: [
        { ref: { kind: VertexKind.STRATEGY, key: "s" }, properties: {} },
        { ref: { kind: VertexKind.INDICATOR, key: "rsi" }, properties: { period: 14 } },
      ],
    });
    await graph.upsertEdges({ edges: [{ from: { kind: VertexKind.STRATEGY, key: "s" }, to: { kind: VertexKind.INDICATOR, key: "rsi" }, type: EdgeType.USES_INDICATOR, weight: 1 }] });
    const walk = await graph.traverse({ start: { kind: VertexKind.STRATEGY, key: "s" }, direction: Direction.OUTBOUND, minDepth: 1, maxDepth: 2 });
    expect(walk.hits.map((h) => h.vertex?.ref?.key)).toEqual(["rsi"]);

    const vectors = connect(VectorService, opts);
    const id = "0b8c6a55-51a2-4c8e-9d7c-3f8c1f0a2b11";
    await vectors.upsertObjects({ collection: "MarketSentiment", objects: [{ id, vector: Array.from({ length: 384 }, (_, i) => (i === 0 ? 1 : 0)), properties: { symbol: "EURUSD" } }] });
    const found = await vectors.searchNearVector({ collection: "MarketSentiment", vector: Array.from({ length: 384 }, (_, i) => (i < 2 ? 1 : 0)), limit: 1 });
    expect(found.hits[0]?.object?.id).toBe(id);

    const cache = connect(CacheService, opts);
    await cache.set({ key: "k", value: new TextEncoder().encode("v"), ttlMs: 10_000n });
    expect(new TextDecoder().decode((await cache.get({ key: "k" })).value)).toBe("v");
    expect((await cache.getLatestTick({ symbol: "E2E", broker: "ICMarkets" })).tick?.timeMsc).toBe(BigInt(now));

    const stream = connect(StreamService, opts);
    expect((await stream.listTopics({})).topics.map((t) => [t.name, t.partitions])).toEqual([
      ["mt5_tick_stream", 12],
      ["trading_signals", 6],
    ]);
    const published = await stream.publish({ topic: "trading_signals", messages: [{ key: new TextEncoder().encode("EURUSD"), value: new TextEncoder().encode("buy") }] });
    expect(published.results).toHaveLength(1);
    const ac = new AbortController();
    for await (const batch of stream.subscribe({ topic: "trading_signals", start: { case: "position", value: StartPosition.EARLIEST } }, { signal: ac.signal })) {
      expect(new TextDecoder().decode(batch.messages[0]!.value)).toBe("buy");
      break;
    }
    ac.abort();

    const schema = connect(SchemaService, opts);
    const status = await schema.getMigrationStatus({ backend: Backend.USERS });
    expect(status.backends[0]?.currentVersion).toBeGreaterThanOrEqual(3);

    const report = await connect(HealthReportService, opts).getHealthReport({});
    expect(report.overall).toBe(BackendStatus.UP);
    expect(report.embeddedMode).toBe(true);
    expect(report.backends).toHaveLength(6);
  });

  it("speaks gRPC-Web and Connect on the same port", async () => {
    for (const transport of [
      createGrpcWebTransport({ baseUrl: server.url, httpVersion: "2" }),
      createConnectTransport({ baseUrl: server.url, httpVersion: "2" }),
    ]) {
      const health = createClient(Health, transport);
      expect((await health.check({ service: "" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      expect((await health.check({ service: "neliti.dataplane.v1.TickService" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    }
  });

  it("answers an unknown health service with NOT_FOUND and oversized messages with RESOURCE_EXHAUSTED", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: server.url }));
    const unknown = await health.check({ service: "nope.Service" }).catch((e: unknown) => e);
    expect((unknown as ConnectError).code).toBe(Code.NotFound);
    const cache = connect(CacheService, { baseUrl: server.url });
    const big = await cache.set({ key: "big", value: new Uint8Array(2 * 1024 * 1024) }).catch((e: unknown) => e);
    expect((big as ConnectError).code).toBe(Code.ResourceExhausted);
  });

  it("serves Prometheus metrics with per-RPC counters by status code", async () => {
    const { status, body } = await httpGet(server.url, "/metrics");
    expect(status).toBe(200);
    expect(body).toMatch(/neliti_rpc_requests_total\{service="neliti.dataplane.v1.TickService",method="WriteTicks",code="ok"\} \d+/);
    expect(body).toMatch(/neliti_rpc_requests_total\{service="grpc.health.v1.Health",method="Check",code="not_found"\} 1/);
    expect(body).toContain("neliti_rpc_duration_seconds_bucket");
    // The 10 ticks written in the first test, counted by outcome.
    expect(body).toMatch(/neliti_ticks_ingested_total\{outcome="durable"\} 10\n/);
    expect(body).toMatch(/neliti_ingest_ack_seconds_count\{state="durable"\} [1-9]/);
    expect(body).toContain("neliti_process_resident_memory_bytes");
  });

  it("speaks HTTP/1.1 on the same cleartext port: a Prometheus-style scrape, gRPC-Web and Connect", async () => {
    // fetch (undici) speaks HTTP/1.1 to a plain http:// URL, as Prometheus does.
    const scrape = await fetch(`${server.url}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get("content-type")).toContain("text/plain");
    expect(await scrape.text()).toContain("neliti_rpc_requests_total");
    for (const transport of [
      createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1" }),
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }),
    ]) {
      const health = createClient(Health, transport);
      expect((await health.check({ service: "" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      const unknown = await health.check({ service: "nope.Service" }).catch((e: unknown) => e);
      expect((unknown as ConnectError).code).toBe(Code.NotFound);
    }
  });

  it("answers every call with its request id, the caller's or a new one, on success and on failure, over every protocol", async () => {
    for (const transport of [
      createGrpcTransport({ baseUrl: server.url }),
      createGrpcWebTransport({ baseUrl: server.url, httpVersion: "2" }),
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }),
    ]) {
      const health = createClient(Health, transport);
      let echoed: string | null = null;
      await health.check({ service: "" }, { headers: { "x-request-id": "desk-7/order-42" }, onHeader: (h) => (echoed = h.get("x-request-id")) });
      expect(echoed).toBe("desk-7/order-42");
      let generated: string | null = null;
      await health.check({ service: "" }, { onHeader: (h) => (generated = h.get("x-request-id")) });
      expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const failed = (await health.check({ service: "nope.Service" }, { headers: { "x-request-id": "desk-7/order-43" } }).catch((e: unknown) => e)) as ConnectError;
      expect(failed.code).toBe(Code.NotFound);
      expect(failed.metadata.get("x-request-id")).toBe("desk-7/order-43");
    }
  });

  const grpcurl = findTool("grpcurl");
  it.skipIf(!grpcurl && !process.env.CI)("lists, describes and calls services with grpcurl through reflection", () => {
    if (!grpcurl) throw new Error("grpcurl is required in CI: scripts/stack.sh install tools");
    const addr = `127.0.0.1:${server.port}`;
    const run = (...args: string[]) => execFileSync(grpcurl, ["-plaintext", ...args], { encoding: "utf8" });
    const list = run(addr, "list").trim().split("\n");
    expect(list).toEqual(
      expect.arrayContaining([
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "neliti.dataplane.v1.TickService",
        "neliti.dataplane.v1.UserService",
        "neliti.dataplane.v1.GraphService",
        "neliti.dataplane.v1.VectorService",
        "neliti.dataplane.v1.CacheService",
        "neliti.dataplane.v1.StreamService",
        "neliti.dataplane.v1.SchemaService",
        "neliti.dataplane.v1.HealthReportService",
      ]),
    );
    expect(run(addr, "describe", "neliti.dataplane.v1.Tick")).toContain("time_msc");
    expect(JSON.parse(run(addr, "grpc.health.v1.Health/Check"))).toEqual({ status: "SERVING" });
    const recent = JSON.parse(run("-d", '{"symbol":"E2E","limit":2}', addr, "neliti.dataplane.v1.TickService/GetRecentTicks")) as { ticks: unknown[] };
    expect(recent.ticks).toHaveLength(2);
  });
});

describe("backend gauges", () => {
  it("are kept current by the periodic probe, without anyone asking for the health report", async () => {
    const server = await startServerProcess({ HEALTH_PROBE_INTERVAL_MS: "100" });
    try {
      await new Promise((r) => setTimeout(r, 500));
      const { body } = await httpGet(server.url, "/metrics");
      for (const backend of ["ticks", "users", "graph", "vectors", "cache", "stream"]) {
        expect(body).toMatch(new RegExp(`neliti_backend_up\\{backend="${backend}",adapter="embedded"\\} 1`));
      }
    } finally {
      await server.stop("SIGKILL");
    }
  });
});

describe("shutdown", () => {
  it("exits 0 on SIGTERM after draining", async () => {
    const server = await startServerProcess();
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.logs.join("\n")).toContain('"msg":"stopped"');
  });

  it("refuses to start on a bad setting, naming the variable", async () => {
    await expect(startServerProcess({ PORT: "not-a-port" })).rejects.toThrow(/PORT/);
  });
});
