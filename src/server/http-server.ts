import { readFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { cleartextFront } from "./cleartext-front.js";
import { GrpcTransport } from "./grpc-transport.js";
import { CLIENT_ADDRESS, RPC_REACHED } from "./context-keys.js";
import type { App } from "../app.js";
import { COMPRESSION_OFF, type Config } from "../config.js";
import type { Logger } from "../observability/logger.js";

export type RunningServer = {
  port: number;
  /** Stops accepting, lets open streams finish until `graceMs`, then cancels the rest. */
  close(graceMs: number): Promise<void>;
};

/**
 * One port serving gRPC, gRPC-Web and Connect, plus GET /metrics: HTTP/2 and HTTP/1.1 both, over
 * TLS when a certificate is configured (chosen by ALPN), otherwise cleartext (chosen by the
 * connection's first bytes, cleartext-front.ts). The gRPC binary protocol goes to the lean transport on node:http2's
 * stream API (grpc-transport.ts); everything else (gRPC-Web, Connect, gRPC+JSON, compressed
 * requests, /metrics, HTTP/1.1) to connect-node through node's compatibility API. Both run
 * the same service implementations and interceptors. Flow-control windows are enlarged so several
 * fast ingest streams are not throttled by the 64 KiB default.
 */
export async function startServer(app: App, config: Config, log: Logger): Promise<RunningServer> {
  const marks = new WeakMap<object, { reached: boolean }>();
  const rpcHandler = connectNodeAdapter({
    routes: app.routes,
    interceptors: app.interceptors,
    readMaxBytes: config.maxMessageBytes,
    // Compressing a few kilobytes costs more latency than it saves on a data-center network.
    compressMinBytes: config.compressMinBytes,
    writeMaxBytes: config.maxMessageBytes,
    grpc: true,
    grpcWeb: true,
    connect: true,
    contextValues: (req) => {
      const mark = { reached: false };
      marks.set(req, mark);
      return createContextValues().set(CLIENT_ADDRESS, req.socket.remoteAddress ?? "unknown").set(RPC_REACHED, mark);
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
    writeMaxBytes: config.maxMessageBytes,
    compressResponses: config.compressMinBytes < COMPRESSION_OFF,
    contextValues: (stream) => createContextValues().set(CLIENT_ADDRESS, stream.session?.socket.remoteAddress ?? "unknown"),
    onRefused: (method) => app.metrics.rejections.inc({ service: method.parent.typeName, method: method.name }),
    encoders: app.responseEncoders,
  });
  /** Counts requests the protocol layer refused before the interceptors saw them (see RPC_REACHED). */
  const handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    res.once("close", () => {
      const mark = marks.get(req);
      if (!mark || mark.reached) return;
      const [, service = "", method = ""] = /^\/([^/]+)\/([^/?]+)/.exec(req.url ?? "") ?? [];
      app.metrics.rejections.inc({ service, method });
    });
    rpcHandler(req, res);
  };

  const settings: http2.Settings = { initialWindowSize: Math.min(config.http2WindowBytes, 2 ** 31 - 1), maxConcurrentStreams: 1000 };
  const tls = config.tls;
  const server = tls
    ? http2.createSecureServer(
        {
          cert: readFileSync(tls.certFile),
          key: readFileSync(tls.keyFile),
          allowHTTP1: true,
          settings,
          // Mutual TLS: the handshake itself refuses a client without a certificate from this CA.
          ...(tls.clientCaFile ? { ca: readFileSync(tls.clientCaFile), requestCert: true, rejectUnauthorized: true } : {}),
        },
      )
    : http2.createServer({ settings });
  if (tls) {
    // HTTP/1.1 (allowHTTP1) arrives as "request" events. Listening for them makes node add its
    // compatibility layer as a "stream" listener for HTTP/2 too; that one is taken off again, so
    // each HTTP/2 stream is dispatched once, below.
    server.on("request", handler);
    for (const listener of server.listeners("stream")) server.off("stream", listener as () => void);
  }
  server.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
    if (grpc.accepts(headers)) return grpc.handle(stream, headers);
    handler(new http2.Http2ServerRequest(stream, headers, {}, rawHeaders), new http2.Http2ServerResponse(stream));
  });

  // Acks are small writes: without TCP_NODELAY they can wait on the peer's delayed ACK.
  if (tls) server.on("connection", (socket: import("node:net").Socket) => socket.setNoDelay(true));
  const http1 = tls ? undefined : http.createServer(handler);
  const listening = http1 ? cleartextFront(server, http1) : server;
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
      const timer = setTimeout(() => {
        for (const s of sessions) s.destroy();
        http1?.closeAllConnections();
      }, graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}
