import type http from "node:http";
import type http2 from "node:http2";
import net from "node:net";

/** Every HTTP/2 connection opens with this preface; no HTTP/1.x request line starts like it. */
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n");

/**
 * One cleartext port for HTTP/2 with prior knowledge (gRPC clients, grpcurl) and HTTP/1.1
 * (Prometheus, which scrapes plain-HTTP targets only over HTTP/1.1; curl without flags; gRPC-Web
 * and Connect from HTTP/1.1 proxies). Node's HTTP/2 server has no HTTP/1.1 fallback without TLS
 * (allowHTTP1 works through ALPN), so each connection is handed to one server or the other by
 * its first bytes. The HTTP/2 session reads the bytes already taken off the socket itself (node
 * replays a socket's buffered data into a new session), so nothing is lost; the cost is one read
 * per connection, none per call.
 */
export function cleartextFront(h2: http2.Http2Server, h1: http.Server): net.Server {
  const front = net.createServer((socket) => {
    // Acks are small writes: without TCP_NODELAY they can wait on the peer's delayed ACK.
    socket.setNoDelay(true);
    let seen: Buffer = Buffer.alloc(0);
    const route = (chunk: Buffer) => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, PREFACE.length);
      const http2Preface = seen.subarray(0, n).equals(PREFACE.subarray(0, n));
      // A prefix of the preface so far: wait for the bytes that decide.
      if (http2Preface && n < PREFACE.length) return;
      socket.off("data", route);
      socket.pause();
      socket.unshift(seen);
      if (http2Preface) h2.emit("connection", socket);
      else {
        h1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", route);
    socket.on("error", () => socket.destroy());
  });
  // The HTTP/1.1 server never listens itself, but it tracks its connections (what
  // closeIdleConnections and its header and request timeouts work on) only from its "listening"
  // event; close it (h1.close) to stop that tracking.
  front.once("listening", () => h1.emit("listening"));
  return front;
}
