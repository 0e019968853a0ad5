import http2 from "node:http2";
import { fork } from "node:child_process";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport, connectNodeAdapter } from "@connectrpc/connect-node";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
if (process.argv[2] === "server") {
  const handler = connectNodeAdapter({ routes: (r) => r.service(Health, { check: async () => ({ status: 1 }), list: async () => ({ statuses: {} }), watch: async function* () {} } as never) });
  const s = http2.createServer(handler).listen(0, "127.0.0.1", () => process.send!((s.address() as { port: number }).port));
} else {
  const child = fork(new URL(import.meta.url).pathname, ["server"], { execArgv: ["--import", "tsx"] });
  const port = await new Promise<number>((r) => child.once("message", (m) => r(m as number)));
  const client = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
  for (let i = 0; i < 500; i++) await client.check({});
  const lat: number[] = [];
  for (let i = 0; i < 3000; i++) { const t = performance.now(); await client.check({}); lat.push(performance.now() - t); }
  lat.sort((a, b) => a - b);
  console.log("floor check p50", lat[1500]!.toFixed(3), "p99", lat[2970]!.toFixed(3));
  child.kill();
}
