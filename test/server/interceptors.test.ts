import http2 from "node:http2";
import { Code, ConnectError, createClient, createContextValues, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Health, HealthCheckRequestSchema, HealthCheckResponse_ServingStatus, type HealthCheckRequest } from "../../gen/grpc/health/v1/health_pb.js";
import { GrpcTransport } from "../../src/server/grpc-transport.js";
import { observe, validateRequests, withMessage } from "../../src/server/interceptors.js";
import { Metrics } from "../../src/observability/metrics.js";
import { pino } from "pino";
import { createLogger } from "../../src/observability/logger.js";

describe("withMessage", () => {
  it("keeps a signal read through the prototype (the gRPC transport's requests) and an own one (connect-node's)", async () => {
    const controller = new AbortController();
    class Request {
      readonly stream = true;
      constructor(readonly message: AsyncIterable<HealthCheckRequest>) {}
      get signal() {
        return controller.signal;
      }
    }
    const messages = (async function* () {
      yield create(HealthCheckRequestSchema);
    })();
    type Req = Parameters<typeof withMessage>[0];
    const fromClass = withMessage(new Request(messages) as unknown as Req, messages);
    const plain = withMessage({ stream: true, signal: controller.signal, message: messages } as unknown as Req, messages);
    for (const req of [fromClass, plain]) {
      expect(req.signal).toBe(controller.signal);
      expect(req.message).toBe(messages);
      expect(req.stream).toBe(true);
    }
  });
});

describe("interceptors on the gRPC transport", () => {
  let server: http2.Http2Server;
  let port: number;
  const seen: { kind: string; signal: unknown }[] = [];
  let chainsBuilt = 0;

  beforeAll(async () => {
    // Records what an interceptor after observe and validateRequests sees of the request.
    const spy: Interceptor = (next) => {
      chainsBuilt++;
      return (req) => {
        seen.push({ kind: req.method.methodKind, signal: req.signal });
        return next(req);
      };
    };
    const transport = new GrpcTransport({
      routes: (router) =>
        router.service(Health, {
          check: () => ({ status: HealthCheckResponse_ServingStatus.SERVING }),
          async *watch() {
            yield { status: HealthCheckResponse_ServingStatus.SERVING };
          },
        }),
      interceptors: [observe(new Metrics(), createLogger("silent")), validateRequests(), spy],
      readMaxBytes: 1 << 20,
      writeMaxBytes: 1 << 20,
      compressResponses: false,
      contextValues: () => createContextValues(),
      onRefused: () => undefined,
    });
    server = http2.createServer();
    server.on("stream", (stream, headers) => transport.handle(stream, headers));
    port = await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("pass every interceptor a live signal, on unary and server-streaming calls (whose requests the interceptors rewrap)", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
    expect((await health.check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    for await (const r of health.watch({})) expect(r.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect(seen.map((s) => s.kind)).toEqual(["unary", "server_streaming"]);
    for (const s of seen) expect(s.signal).toBeInstanceOf(AbortSignal);
  });

  it("build each method's chain once, as connect-node does, not once per call", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
    for (let i = 0; i < 5; i++) await health.check({});
    expect(chainsBuilt).toBe(Health.methods.length);
  });
});

describe("an interceptor that rebuilds the request instead of using withMessage", () => {
  it("fails the call with INTERNAL (its handler cannot reach the call), and the log line says why", async () => {
    const lines: string[] = [];
    const log = pino({ level: "error" }, { write: (line: string) => void lines.push(line) });
    const spread: Interceptor = (next) => (req) => next({ ...req });
    const transport = new GrpcTransport({
      routes: (router) => router.service(Health, { check: () => ({ status: HealthCheckResponse_ServingStatus.SERVING }), async *watch() {} }),
      interceptors: [observe(new Metrics(), log), spread],
      readMaxBytes: 1 << 20,
      writeMaxBytes: 1 << 20,
      compressResponses: false,
      contextValues: () => createContextValues(),
      onRefused: () => undefined,
    });
    const server = http2.createServer();
    server.on("stream", (stream, headers) => transport.handle(stream, headers));
    const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
    try {
      const health = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
      const err = await health.check({}).then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
      expect(err?.code).toBe(Code.Internal);
      expect(err?.rawMessage).toBe("internal error");
      expect(lines.join("")).toContain("without its call (use withMessage)");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
