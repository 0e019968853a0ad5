import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CacheService } from "../../gen/neliti/dataplane/v1/cache_pb.js";
import { TickService } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { connect, CacheService as CacheClient } from "../../src/client.js";
import { inMemoryApp, type TestApp } from "../harness/app.js";
import { startServerProcess } from "../harness/server-process.js";

describe("OpenTelemetry tracing through the interceptors", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let t: TestApp;

  beforeAll(async () => {
    provider.register();
    // The endpoint only turns tracing on here; spans go to the in-memory exporter registered above.
    t = await inMemoryApp({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9/" });
  });
  afterAll(async () => {
    await t?.close();
    await provider.shutdown();
    trace.disable();
  });

  const spansNamed = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);

  it("records a server span per RPC with its status, continuing the caller's trace", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parentSpanId = "00f067aa0ba902b7";
    await t.client(CacheService).get({ key: "k" }, { headers: { traceparent: `00-${traceId}-${parentSpanId}-01` } });
    const [span] = spansNamed("neliti.dataplane.v1.CacheService/Get");
    expect(span).toBeDefined();
    expect(span!.spanContext().traceId).toBe(traceId);
    expect(span!.parentSpanContext?.spanId).toBe(parentSpanId);
    expect(span!.attributes).toMatchObject({ "rpc.system": "grpc", "rpc.service": "neliti.dataplane.v1.CacheService", "rpc.method": "Get", "rpc.grpc.status_code": 0 });
    expect(span!.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it("marks failed RPCs as errors with their gRPC code", async () => {
    const err = await t.client(CacheService).get({ key: "" }).catch((e: unknown) => ConnectError.from(e));
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    const span = spansNamed("neliti.dataplane.v1.CacheService/Get").find((s) => s.attributes["rpc.grpc.status_code"] === Code.InvalidArgument);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("ends a server stream's span when the stream ends", async () => {
    for await (const _ of t.client(TickService).queryTicks({ symbol: "EURUSD", startTimeMsc: 0n, endTimeMsc: 1n })) void _;
    expect(spansNamed("neliti.dataplane.v1.TickService/QueryTicks")).toHaveLength(1);
  });
});

describe("OTLP export from the real server (OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
  it("sends the RPC spans to the collector over OTLP/HTTP", async () => {
    const received: { path: string; body: Buffer }[] = [];
    const collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ path: req.url ?? "", body: Buffer.concat(chunks) });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const server = await startServerProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: "100" });
    try {
      await connect(CacheClient, { baseUrl: server.url }).get({ key: "traced" });
      const deadline = Date.now() + 10_000;
      while (!received.some((r) => r.body.includes("neliti.dataplane.v1.CacheService/Get")) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const hit = received.find((r) => r.body.includes("neliti.dataplane.v1.CacheService/Get"));
      expect(hit?.path).toBe("/v1/traces");
      expect(hit?.body.includes("neliti-dataplane")).toBe(true);
    } finally {
      await server.stop("SIGTERM");
      collector.close();
    }
  });
});
