import http2 from "node:http2";
import { afterAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

/** Whether the response message to a gzip-accepting client's Health/Check is compressed (its envelope flag). */
async function responseCompressed(url: string): Promise<boolean> {
  const session = http2.connect(url);
  try {
    return await new Promise<boolean>((resolve, reject) => {
      const req = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Check", "content-type": "application/grpc", te: "trailers", "grpc-accept-encoding": "gzip" });
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve((Buffer.concat(chunks)[0]! & 1) === 1));
      req.on("error", reject);
      req.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  } finally {
    session.close();
  }
}

describe("response compression", () => {
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });

  it("is off by default, even for a client that accepts gzip, and on with COMPRESS_MIN_BYTES", async () => {
    const plain = await startServerProcess();
    const compressing = await startServerProcess({ COMPRESS_MIN_BYTES: "1" });
    servers.push(plain, compressing);
    expect(await responseCompressed(plain.url)).toBe(false);
    expect(await responseCompressed(compressing.url)).toBe(true);
  });
});
