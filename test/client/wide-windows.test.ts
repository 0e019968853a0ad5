import { once } from "node:events";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONNECTION_RECEIVE_WINDOW_BYTES, STREAM_RECEIVE_WINDOW_BYTES, wideWindowSessions } from "../../src/client.js";

/** Bytes the server sends on each stream. */
const BODY = 3 * 1024 * 1024;

describe("the client's HTTP/2 sessions let the server send megabytes ahead (src/client.ts)", () => {
  let server: http2.Http2Server;
  let url: string;
  /** What the server may send before hearing from the client: on the connection, and on the stream. */
  const windows: { connection: number; stream: number }[] = [];

  beforeAll(async () => {
    server = http2.createServer();
    server.on("stream", (stream) => {
      // The client's SETTINGS go before its first request, its WINDOW_UPDATE before the end of the
      // request's body: once that end is here, both have been applied.
      stream.resume();
      stream.once("end", () => {
        windows.push({ connection: stream.session!.state.remoteWindowSize!, stream: stream.session!.remoteSettings.initialWindowSize! });
        stream.respond({ ":status": 200 });
        stream.end(Buffer.alloc(BODY, 1));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const read = async (stream: http2.ClientHttp2Stream) => {
    let bytes = 0;
    for await (const chunk of stream) bytes += (chunk as Buffer).length;
    // The body's end can come before the stream closes; a session aborted in between destroys the
    // stream with an error that nothing is left to hear (an uncaught exception in CI).
    if (!stream.closed) await once(stream, "close");
    return bytes;
  };

  it("advertise a wide stream window and widen the connection's on the first stream, before its data", async () => {
    const sessions = wideWindowSessions(url);
    for (let i = 0; i < 2; i++) {
      const stream = await sessions.request("POST", "/", {}, {});
      stream.end();
      expect(await read(stream)).toBe(BODY);
      const { connection, stream: perStream } = windows.at(-1)!;
      expect(perStream).toBe(STREAM_RECEIVE_WINDOW_BYTES);
      // The second stream finds the first one's bytes not yet all returned (a peer updates at half).
      if (i === 0) expect(connection).toBe(CONNECTION_RECEIVE_WINDOW_BYTES);
      else expect(connection).toBeGreaterThanOrEqual(CONNECTION_RECEIVE_WINDOW_BYTES - BODY);
    }
    sessions.abort();
  });

  it("where a bare Node client leaves both at 64 KiB", async () => {
    const session = http2.connect(url);
    const stream = session.request({ ":method": "POST", ":path": "/" });
    stream.end();
    expect(await read(stream)).toBe(BODY);
    expect(windows.at(-1)).toEqual({ connection: 65_535, stream: 65_535 });
    session.close();
  });
});
