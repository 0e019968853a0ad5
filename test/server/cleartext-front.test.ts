import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleartextFront } from "../../src/server/cleartext-front.js";

/** Opens a raw connection, writes `parts` with a pause between them, and returns the first bytes answered. */
async function rawExchange(port: number, parts: (string | Buffer)[], bytes: number): Promise<Buffer> {
  const socket = net.connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const answer = new Promise<Buffer>((resolve, reject) => {
    let got = Buffer.alloc(0);
    socket.on("data", (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= bytes) resolve(got);
    });
    socket.on("error", reject);
  });
  for (const part of parts) {
    socket.write(part);
    await new Promise((r) => setTimeout(r, 30));
  }
  const got = await answer;
  socket.destroy();
  return got;
}

describe("the cleartext front (HTTP/2 and HTTP/1.1 on one port)", () => {
  const h2 = http2.createServer();
  h2.on("stream", (stream, headers) => {
    stream.respond({ ":status": 200 });
    stream.end(`h2 ${headers[":path"]}`);
  });
  const h1 = http.createServer((req, res) => res.end(`h1 ${req.url}`));
  const front = cleartextFront(h2, h1);
  let port = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", () => resolve()));
    port = (front.address() as AddressInfo).port;
  });
  afterAll(async () => {
    h1.close(() => undefined);
    await new Promise((r) => front.close(r));
  });

  it("gives HTTP/1.1 requests to the HTTP/1.1 server, which tracks their connections", async () => {
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toBe("h1 /metrics");
    // The keep-alive connection fetch left open is closed as idle (the server's shutdown relies on it).
    const open = () => new Promise<number>((resolve) => front.getConnections((_e, n) => resolve(n)));
    expect(await open()).toBe(1);
    h1.closeIdleConnections();
    await expect.poll(open).toBe(0);
  });

  it("gives prior-knowledge HTTP/2 connections, with every stream, to the HTTP/2 server", async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const get = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const req = session.request({ ":path": path });
        let body = "";
        req.setEncoding("utf8");
        req.on("data", (d: string) => (body += d));
        req.on("end", () => resolve(body));
        req.on("error", reject);
        req.end();
      });
    expect(await Promise.all([get("/a"), get("/b")])).toEqual(["h2 /a", "h2 /b"]);
    session.close();
  });

  it("waits for the bytes that decide when the first segment is shorter than the HTTP/2 preface", async () => {
    // The preface split after "PR", then an empty SETTINGS frame: the server answers with its own SETTINGS frame.
    const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    const answer = await rawExchange(port, ["PR", Buffer.concat([Buffer.from("I * HTTP/2.0\r\n\r\nSM\r\n\r\n"), settings])], 9);
    expect(answer[3]).toBe(4);
    // A request line split in the same place is HTTP/1.1 once a byte leaves the preface.
    const http1 = await rawExchange(port, ["P", "OST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"], 12);
    expect(http1.toString("latin1")).toMatch(/^HTTP\/1\.1 200/);
  });
});
