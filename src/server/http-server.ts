import { readFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { type ConnectError, type ConnectRouter, createContextValues, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter, type ConnectNodeAdapterOptions } from "@connectrpc/connect-node";
import { cleartextFront } from "./cleartext-front.js";
import { endsWithAbortReason, keepLongDeadline, LONG_DEADLINE_MS, takeLongTimeout } from "./connect-path.js";
import { GrpcTransport, isGrpcFamily, type MessageEncoder, respondStatus, statusHeaders } from "./grpc-transport.js";
import { CLIENT_ADDRESS, RPC_REACHED } from "./context-keys.js";
import { COMPRESSION_OFF, type Config } from "../config.js";
import { toConnectError, UnavailableError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";

/** What the server serves: the routes behind their interceptors, and what /metrics shows. */
export type ServedApp = {
  routes: (router: ConnectRouter) => void;
  interceptors: Interceptor[];
  /** Hand-written encoders for the gRPC transport's largest responses, by response type name. */
  responseEncoders?: ReadonlyMap<string, MessageEncoder>;
  metrics: Pick<Metrics, "registry" | "rejections">;
  /** For the JSON codec on the connect-node path: a registry of the types an Any may hold. */
  jsonOptions?: ConnectNodeAdapterOptions["jsonOptions"];
};

export type ServerConfig = Pick<Config, "host" | "port" | "tls" | "maxMessageBytes" | "http2WindowBytes" | "compressMinBytes"> & {
  /** The largest response message, when not maxMessageBytes (the conformance suite limits requests only). */
  writeMaxBytes?: number;
};

export type RunningServer = {
  port: number;
  /**
   * Stops accepting (GOAWAY), lets open calls finish until `graceMs`, then ends each call still open
   * with UNAVAILABLE (retry-after-ms 0: another replica can take it) and, `FLUSH_MS` later, drops
   * every connection, whatever its client does: resolves within grace + FLUSH_MS.
   */
  close(graceMs: number): Promise<void>;
};

/** How long the statuses of calls ended by shutdown get to leave before their connections are dropped. */
const FLUSH_MS = 250;

/**
 * Header entries a request may carry. HPACK counts each entry as its name and value plus 32
 * octets, so the header-list size limit (Node's default 65535 octets, advertised in SETTINGS)
 * admits at most 2047 of them: with this bound the size alone limits metadata, as gRPC specifies.
 * Node's default of 128 entries refused 150 small metadata entries (2.5 KB) with ENHANCE_YOUR_CALM.
 */
const MAX_HEADER_LIST_PAIRS = 2048;

/**
 * One port serving gRPC, gRPC-Web and Connect, plus GET /metrics: HTTP/2 and HTTP/1.1 both, over
 * TLS when a certificate is configured (chosen by ALPN), otherwise cleartext (chosen by the
 * connection's first bytes, cleartext-front.ts). The gRPC binary protocol goes to the lean transport on node:http2's
 * stream API (grpc-transport.ts); everything else (gRPC-Web, Connect, gRPC+JSON, compressed
 * requests, /metrics, HTTP/1.1) to connect-node through node's compatibility API. Both run
 * the same service implementations and interceptors. Flow-control windows are enlarged so several
 * fast ingest streams are not throttled by the 64 KiB default.
 */
export async function startServer(app: ServedApp, config: ServerConfig, log: Logger): Promise<RunningServer> {
  /** Per request: whether it is an RPC (connect-node asked for its context), reached an interceptor, had a long deadline. */
  const marks = new WeakMap<object, { rpc: boolean; reached: boolean; longTimeoutMs: number | undefined }>();
  const stopping = new AbortController();
  const rpcHandler = connectNodeAdapter({
    routes: app.routes,
    interceptors: [...app.interceptors, endsWithAbortReason],
    shutdownSignal: stopping.signal,
    jsonOptions: app.jsonOptions,
    requestGate: keepLongDeadline,
    readMaxBytes: config.maxMessageBytes,
    // Compressing a few kilobytes costs more latency than it saves on a data-center network.
    compressMinBytes: config.compressMinBytes,
    writeMaxBytes: config.writeMaxBytes ?? config.maxMessageBytes,
    grpc: true,
    grpcWeb: true,
    connect: true,
    contextValues: (req) => {
      const mark = marks.get(req);
      if (mark) mark.rpc = true;
      return createContextValues()
        .set(CLIENT_ADDRESS, req.socket.remoteAddress ?? "unknown")
        .set(RPC_REACHED, mark)
        .set(LONG_DEADLINE_MS, mark?.longTimeoutMs);
    },
    fallback: (req, res) => {
      if (req.method === "GET" && req.url === "/metrics") {
        app.metrics.registry.metrics().then(
          (text) => {
            res.writeHead(200, { "content-type": app.metrics.registry.contentType });
            res.end(text);
          },
          () => {
            res.writeHead(500);
            res.end();
          },
        );
        return;
      }
      res.writeHead(404);
      res.end();
    },
  });
  const grpc = new GrpcTransport({
    routes: app.routes,
    interceptors: app.interceptors,
    readMaxBytes: config.maxMessageBytes,
    writeMaxBytes: config.writeMaxBytes ?? config.maxMessageBytes,
    compressResponses: config.compressMinBytes < COMPRESSION_OFF,
    contextValues: (stream) => createContextValues().set(CLIENT_ADDRESS, stream.session?.socket.remoteAddress ?? "unknown"),
    onRefused: (method) => app.metrics.rejections.inc({ service: method.parent.typeName, method: method.name }),
    encoders: app.responseEncoders,
  });
  /** Counts requests the protocol layer refused before the interceptors saw them (see RPC_REACHED). */
  const handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    const mark = { rpc: false, reached: false, longTimeoutMs: takeLongTimeout(req.headers) };
    marks.set(req, mark);
    res.once("close", () => {
      if (!mark.rpc || mark.reached) return;
      const [, service = "", method = ""] = /^\/([^/]+)\/([^/?]+)/.exec(req.url ?? "") ?? [];
      app.metrics.rejections.inc({ service, method });
    });
    rpcHandler(req, res);
  };

  const settings: http2.Settings = { initialWindowSize: Math.min(config.http2WindowBytes, 2 ** 31 - 1), maxConcurrentStreams: 1000 };
  const limits = { settings, maxHeaderListPairs: MAX_HEADER_LIST_PAIRS };
  const tls = config.tls;
  const server = tls
    ? http2.createSecureServer(
        {
          cert: readFileSync(tls.certFile),
          key: readFileSync(tls.keyFile),
          allowHTTP1: true,
          ...limits,
          // Mutual TLS: the handshake itself refuses a client without a certificate from this CA.
          ...(tls.clientCaFile ? { ca: readFileSync(tls.clientCaFile), requestCert: true, rejectUnauthorized: true } : {}),
        },
      )
    : http2.createServer(limits);
  if (tls) {
    // HTTP/1.1 (allowHTTP1) arrives as "request" events. Listening for them makes node add its
    // compatibility layer as a "stream" listener for HTTP/2 too; that one is taken off again, so
    // each HTTP/2 stream is dispatched once, below.
    server.on("request", handler);
    for (const listener of server.listeners("stream")) server.off("stream", listener as () => void);
  }
  /** gRPC calls connect-node serves (compressed, +json), for shutdown to end with a status. */
  const compatGrpc = new Set<http2.Http2ServerResponse>();
  server.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
    if (grpc.accepts(headers)) return grpc.handle(stream, headers);
    const res = new http2.Http2ServerResponse(stream);
    if (isGrpcFamily(headers["content-type"])) {
      compatGrpc.add(res);
      stream.once("close", () => compatGrpc.delete(res));
    }
    handler(new http2.Http2ServerRequest(stream, headers, {}, rawHeaders), res);
  });

  // Acks are small writes: without TCP_NODELAY they can wait on the peer's delayed ACK.
  if (tls) server.on("connection", (socket: import("node:net").Socket) => socket.setNoDelay(true));
  const http1 = tls ? undefined : http.createServer(handler);
  const listening = http1 ? cleartextFront(server, http1) : server;
  const sockets = new Set<Socket>();
  listening.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    // The connection-level window is not part of SETTINGS; raise it per session.
    session.once("localSettings", () => session.setLocalWindowSize(config.http2WindowBytes));
  });

  await new Promise<void>((resolve, reject) => {
    listening.once("error", reject);
    listening.listen(config.port, config.host, () => resolve());
  });
  const port = (listening.address() as AddressInfo).port;
  log.info({ host: config.host, port, tls: config.tls !== undefined }, "listening");

  return {
    port,
    close: async (graceMs) => {
      const closed = new Promise<void>((resolve) => listening.close(() => resolve()));
      for (const s of sessions) s.close();
      // Closes its idle keep-alive connections now; busy ones end with their response.
      http1?.close(() => undefined);
      if (await within(closed, graceMs)) return;
      const reason = toConnectError(new UnavailableError("the server is shutting down: call again, another replica will answer", 0));
      grpc.shutdown(reason);
      stopping.abort(reason);
      for (const res of compatGrpc) endWithStatus(res, reason);
      if (await within(closed, FLUSH_MS)) return;
      // A client that reads nothing and never closes would hold its socket (and the process) open.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Whether `promise` settled within `ms`. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Ends a gRPC call connect-node is serving with `err`, whatever its handler is doing: a handler
 * blocked on the client's next message never sees the shutdown signal.
 */
function endWithStatus(res: http2.Http2ServerResponse, err: ConnectError): void {
  if (res.stream.closed || res.writableEnded) return;
  if (!res.headersSent) return respondStatus(res.stream, err);
  res.addTrailers(statusHeaders(err));
  res.end();
}
