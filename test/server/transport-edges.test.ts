import http2 from "node:http2";
import net from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubscribeTicksRequestSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { grpcFrame } from "../harness/frames.js";
import { startServerProcess, type ServerProcess } from "../harness/server-process.js";
import { httpGet } from "../harness/tools.js";

/**
 * Where a hand-written protocol server meets clients it was not written against: deadlines past
 * Node's timer range, metadata by count, unknown methods on the connect-node path, and shutdown
 * with calls in flight and clients that read nothing. Raw HTTP/2 frames, so each header and status
 * is the one on the wire. "plain" is the service's own gRPC transport; "compressed" (grpc-encoding
 * gzip) and "json" (application/grpc+json) are served by connect-node.
 */

type Outcome = { status?: number; contentType?: string; grpcStatus?: string; grpcMessage?: string; retryAfterMs?: string; rstCode?: number; ms: number };

/** One raw gRPC call: headers and body as given; what came back once the stream ended. */
function rawCall(session: http2.ClientHttp2Session, path: string, headers: http2.OutgoingHttpHeaders, body: Uint8Array | undefined) {
  const started = performance.now();
  const req = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers });
  const outcome: Outcome = { ms: 0 };
  const take = (h: http2.IncomingHttpHeaders) => {
    if (h[":status"] !== undefined) outcome.status = Number(h[":status"]);
    if (h["content-type"] !== undefined) outcome.contentType = String(h["content-type"]);
    if (h["grpc-status"] !== undefined) outcome.grpcStatus = String(h["grpc-status"]);
    if (h["grpc-message"] !== undefined) outcome.grpcMessage = decodeURIComponent(String(h["grpc-message"]));
    if (h["retry-after-ms"] !== undefined) outcome.retryAfterMs = String(h["retry-after-ms"]);
  };
  req.on("response", take);
  req.on("trailers", take);
  req.on("data", () => undefined);
  const ended = new Promise<Outcome>((resolve) => {
    req.on("close", () => {
      outcome.ms = performance.now() - started;
      if (req.rstCode !== undefined && req.rstCode !== http2.constants.NGHTTP2_NO_ERROR) outcome.rstCode = req.rstCode;
      resolve(outcome);
    });
  });
  req.on("error", () => undefined);
  if (body) req.end(body);
  return { req, ended };
}

const subscribe = () => frameOf(toBinary(SubscribeTicksRequestSchema, create(SubscribeTicksRequestSchema, { symbols: ["NOTHING"] })));
const frameOf = (payload: Uint8Array) => grpcFrame(0, payload.length, payload);
const SUBSCRIBE = "/neliti.dataplane.v1.TickService/SubscribeTicks";
const CHECK = "/grpc.health.v1.Health/Check";
const INGEST = "/neliti.dataplane.v1.TickService/IngestTicks";
const PATHS: Record<string, http2.OutgoingHttpHeaders> = { plain: {}, compressed: { "grpc-encoding": "gzip", "grpc-accept-encoding": "gzip" } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the gRPC transport at the protocol's edges", () => {
  let server: ServerProcess;
  let session: http2.ClientHttp2Session;

  beforeAll(async () => {
    server = await startServerProcess();
    session = http2.connect(server.url);
  });
  afterAll(async () => {
    session?.close();
    await server?.stop("SIGKILL");
  });

  it("keeps a stream open under a 30-day deadline (past Node's 24.8-day timers) on both paths", async () => {
    for (const [name, extra] of Object.entries(PATHS)) {
      const { req, ended } = rawCall(session, SUBSCRIBE, { ...extra, "grpc-timeout": "2592000S" }, subscribe());
      const early = await Promise.race([ended, sleep(500).then(() => undefined)]);
      expect(early, `${name}: ended before its deadline`).toBeUndefined();
      req.close(http2.constants.NGHTTP2_CANCEL);
      await ended;
    }
    // The longest deadline the spec allows, on a unary call: answered, not timed out.
    for (const [name, extra] of Object.entries(PATHS)) {
      const { ended } = rawCall(session, CHECK, { ...extra, "grpc-timeout": "99999999H" }, frameOf(new Uint8Array(0)));
      expect((await ended).grpcStatus, name).toBe("0");
    }
  });

  it("ends a stream that reaches its deadline with DEADLINE_EXCEEDED on both paths", async () => {
    for (const [name, extra] of Object.entries(PATHS)) {
      const { ended } = rawCall(session, SUBSCRIBE, { ...extra, "grpc-timeout": "300m" }, subscribe());
      const outcome = await ended;
      expect(outcome.grpcStatus, name).toBe(String(Code.DeadlineExceeded));
      expect(outcome.ms, name).toBeGreaterThanOrEqual(250);
    }
  });

  it("answers an unknown method with HTTP 200 and grpc-status UNIMPLEMENTED, whatever the codec or compression", async () => {
    const variants: Record<string, http2.OutgoingHttpHeaders> = { ...PATHS, json: { "content-type": "application/grpc+json" } };
    for (const [name, extra] of Object.entries(variants)) {
      const outcome = await rawCall(session, "/neliti.dataplane.v1.TickService/NoSuchMethod", extra, frameOf(new Uint8Array(0))).ended;
      expect(outcome, name).toMatchObject({ status: 200, grpcStatus: String(Code.Unimplemented) });
      expect(outcome.contentType, name).toMatch(/^application\/grpc/);
    }
  });

  it("limits metadata by its size, not by its count", async () => {
    const many: http2.OutgoingHttpHeaders = {};
    for (let i = 0; i < 150; i++) many[`x-entry-${i}`] = "v";
    for (const [name, extra] of Object.entries(PATHS)) {
      expect((await rawCall(session, CHECK, { ...extra, ...many }, frameOf(new Uint8Array(0))).ended).grpcStatus, name).toBe("0");
    }
    // Past the advertised header-list size (64 KiB): refused, and the session goes on.
    const own = http2.connect(server.url);
    try {
      const outcome = await rawCall(own, CHECK, { "x-large": "v".repeat(70_000) }, frameOf(new Uint8Array(0))).ended;
      expect(outcome.grpcStatus).toBeUndefined();
    } finally {
      own.destroy();
    }
    expect((await rawCall(session, CHECK, {}, frameOf(new Uint8Array(0))).ended).grpcStatus).toBe("0");
  });

  it("counts no rejection for a request that is no RPC (a /metrics scrape)", async () => {
    const rejections = async () => (await httpGet(server.url, "/metrics")).body.split("\n").filter((l) => l.startsWith("neliti_rejections_total{"));
    const before = await rejections();
    await httpGet(server.url, "/metrics");
    expect(await rejections()).toEqual(before);
  });
});

describe("the gRPC transport shutting down with calls in flight", () => {
  const GRACE_MS = 1000;

  it("ends every call still open after the grace with UNAVAILABLE and exits within grace + 1 s, whatever the clients do", async () => {
    const server = await startServerProcess({ SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    const session = http2.connect(server.url);
    try {
      // Ingest streams the client never ends, on both paths: their handlers wait on the client.
      const ingests = Object.entries(PATHS).map(([name, extra]) => ({ name, ...rawCall(session, INGEST, extra, undefined) }));
      for (const i of ingests) i.req.write(new Uint8Array(0));
      // A client that opens a connection and then neither reads nor closes it.
      const silent = net.connect(server.port, "127.0.0.1");
      silent.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
      silent.pause();
      await sleep(300);
      const stopping = performance.now();
      const exited = server.stop("SIGTERM");
      const outcomes = await Promise.all(ingests.map((i) => i.ended));
      const code = await exited;
      const tookMs = performance.now() - stopping;
      silent.destroy();
      // The status arrives as trailers (END_STREAM) before the connection goes: a client maps a
      // reset without one (RST_STREAM NO_ERROR) to INTERNAL and does not retry.
      for (const [n, outcome] of outcomes.entries()) {
        expect(outcome, ingests[n]!.name).toMatchObject({ grpcStatus: String(Code.Unavailable), retryAfterMs: "0" });
        // Open until the grace was over, not cut at once.
        expect(outcome.ms, ingests[n]!.name).toBeGreaterThanOrEqual(GRACE_MS);
      }
      expect(code).toBe(0);
      expect(tookMs).toBeLessThan(GRACE_MS + 1000);
    } finally {
      session.destroy();
      await server.stop("SIGKILL");
    }
  });
});
