import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { StreamService } from "../gen/neliti/dataplane/v1/stream_pb.js";
import { startServerProcess } from "../test/harness/server-process.js";
const env: Record<string, string> = { AUTH_JWT_SECRET: "p".repeat(32), AUTH_ENABLED: "false" };
if (process.argv[2] === "kafka") env.KAFKA_BROKERS = process.env.KAFKA_BROKERS!;
const svc = await startServerProcess(env);
const stream = createClient(StreamService, createGrpcTransport({ baseUrl: svc.url }));
const topic = `bench_svc_${Date.now()}`;
await stream.createTopic({ name: topic, partitions: 6 });
const value = new Uint8Array(200).fill(1);
const key = (i: number) => new TextEncoder().encode(`SYM${i % 50}`);
for (const n of (process.env.NS ?? "1,100,300,500").split(",").map(Number)) {
  const msgs = Array.from({ length: n }, (_, i) => ({ key: key(i), value }));
  for (let b = 0; b < 50; b++) await stream.publish({ topic, messages: msgs });
  const t = performance.now();
  for (let b = 0; b < Number(process.env.ITER ?? 200); b++) await stream.publish({ topic, messages: msgs });
  console.log(process.argv[2] ?? "embedded", n, "ms/batch", ((performance.now() - t) / Number(process.env.ITER ?? 200)).toFixed(2));
}
await svc.stop("SIGTERM");
