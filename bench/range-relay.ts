import http2 from "node:http2";
import { once } from "node:events";
import { ClickHouseHttp } from "../src/backends/clickhouse/http-requests.js";

/**
 * The least a service between a client and ClickHouse can do for a range read (see range.ts): take
 * a statement over HTTP/2, read ClickHouse's answer the way the tick store does
 * (ClickHouseHttp.stream) and write its bytes on to the client unchanged: no gRPC framing, no
 * message, no per-column copy. argv[2]: the ClickHouse URL. Prints the port on stdout.
 */
const clickhouse = new ClickHouseHttp(process.argv[2]!, { maxSockets: 4, timeoutMs: 300_000, settings: {} });
const server = http2.createServer();
server.on("stream", (stream, headers) => {
  const parts: Buffer[] = [];
  stream.on("data", (b: Buffer) => parts.push(b));
  stream.on("end", async () => {
    try {
      const answer = await clickhouse.stream({ query: Buffer.concat(parts).toString("utf8"), params: {} }, { max_block_size: String(headers["x-max-block-size"] ?? 65_536) });
      stream.respond({ ":status": 200 });
      for await (const part of answer) if (!stream.write(part)) await once(stream, "drain");
      stream.end();
    } catch (err) {
      stream.destroy(err as Error);
    }
  });
});
server.listen(0, "127.0.0.1", () => console.log((server.address() as { port: number }).port));
