import { performance } from "node:perf_hooks";
import { Admin, ProduceAcks, Producer } from "@platformatic/kafka";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { create } from "@bufbuild/protobuf";
import { type PublishRequest, PublishRequestSchema, StreamService } from "../gen/neliti/dataplane/v1/stream_pb.js";
import { SerialSender } from "../src/backends/kafka/serial-sender.js";
import { MAX_SEND_BYTES, publishDeadline } from "../src/backends/kafka/stream-log.js";
import { uniqueSuffix } from "../test/harness/backends.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { arg, cpuPerItem, cpuText, drive, machine, pidOf, requireEnv, round, summarize } from "./lib.js";

function once<K, V>(cache: Map<K, V>, key: K, make: () => V): V {
  let v = cache.get(key);
  if (v === undefined) cache.set(key, (v = make()));
  return v;
}

/** Publish through the service vs @platformatic/kafka directly, same broker, same run. */
export async function run() {
  const brokers = requireEnv("KAFKA_BROKERS");
  const singles = arg("singles", 2000);
  const batches = arg("batches", 200);
  const batchSize = arg("batch", 500);
  const inflight = arg("inflight", 4);
  const topic = `bench_stream_${uniqueSuffix()}`;
  const admin = new Admin({ clientId: "bench", bootstrapBrokers: brokers.split(",") });
  await admin.createTopics({ topics: [topic], partitions: 6, replicas: 1 });
  const value = new Uint8Array(200).fill(1);
  const svc = await startServerProcess({ KAFKA_BROKERS: brokers, AUTH_JWT_SECRET: "p".repeat(32), AUTH_ENABLED: "false" });
  const producer = new Producer({ clientId: "bench-direct", bootstrapBrokers: brokers.split(","), idempotent: true, acks: ProduceAcks.ALL });
  try {
    const stream = createClient(StreamService, createGrpcTransport({ baseUrl: svc.url }));
    const key = (i: number) => new TextEncoder().encode(`SYM${i % 50}`);
    type Outgoing = { key: Uint8Array; value: Uint8Array };
    // The client cannot take concurrent idempotent sends (they reach the broker out of order, see
    // src/backends/kafka/serial-sender.ts), so the direct path merges concurrent batches into one
    // send at a time exactly as the adapter does: the fair baseline for a careful direct user.
    type KafkaMessage = { topic: string; key: Buffer; value: Buffer };
    const direct = new SerialSender<KafkaMessage, undefined>(
      async (msgs) => {
        await producer.send({ messages: msgs });
        return msgs.map(() => undefined);
      },
      (m) => m.key.length + m.value.length + 64,
      MAX_SEND_BYTES,
      publishDeadline(60_000),
    );
    // Each path's payload is built once per distinct batch, as a producer would build a batch
    // once and send it: what is timed is the sending.
    const kafkaMessages = new Map<Outgoing[], KafkaMessage[]>();
    const requests = new Map<Outgoing[], PublishRequest>();
    const paths = {
      direct: (msgs: Outgoing[]) => direct.submit(once(kafkaMessages, msgs, () => msgs.map((m) => ({ topic, key: Buffer.from(m.key), value: Buffer.from(m.value) })))),
      service: (msgs: Outgoing[]) => stream.publish(once(requests, msgs, () => create(PublishRequestSchema, { topic, messages: msgs }))),
    };
    const out: Record<string, { single: ReturnType<typeof summarize>; messagesPerSecond: number; concurrentMessagesPerSecond: number; cpuMicrosPerMessage: Record<string, number> }> = {};
    const batch = Array.from({ length: batchSize }, (_, i) => ({ key: key(i), value }));
    for (const [name, send] of Object.entries(paths)) {
      for (let i = 0; i < 100; i++) await send([{ key: key(i), value }]);
      const lat: number[] = [];
      for (let i = 0; i < singles; i++) {
        const t = performance.now();
        await send([{ key: key(i), value }]);
        lat.push(performance.now() - t);
      }
      const t0 = performance.now();
      for (let b = 0; b < batches; b++) await send(batch);
      const messagesPerSecond = Math.round((batches * batchSize) / ((performance.now() - t0) / 1000));
      // A publisher with several batches in flight, as a bridge fanning out symbols would run.
      // CPU per message of the bench process, the service and the broker: where each path spends.
      const { result: concurrent, cpuMicrosPerItem: cpuMicrosPerMessage } = await cpuPerItem(
        { bench: process.pid, service: svc.proc.pid, broker: pidOf("kafka.Kafka") },
        batches * batchSize,
        () => drive(batches, inflight, () => send(batch)),
      );
      out[name] = { single: summarize(lat), messagesPerSecond, concurrentMessagesPerSecond: concurrent.opsPerSecond * batchSize, cpuMicrosPerMessage };
      console.log(
        `${name.padEnd(8)} publish of 1: p50 ${out[name]!.single.p50} ms, p99 ${out[name]!.single.p99} ms; batches of ${batchSize}: ${messagesPerSecond} msg/s one at a time, ${out[name]!.concurrentMessagesPerSecond} msg/s with ${inflight} in flight ` +
          `(CPU us per message: ${cpuText(cpuMicrosPerMessage)})`,
      );
    }
    const ratio = round(out.service!.messagesPerSecond / out.direct!.messagesPerSecond);
    const concurrentRatio = round(out.service!.concurrentMessagesPerSecond / out.direct!.concurrentMessagesPerSecond);
    console.log(`ratio service/direct (throughput): ${ratio} one batch at a time, ${concurrentRatio} with ${inflight} in flight (target >= 0.7; p50 target <= 2 ms); acks=all, idempotent; ${machine()}`);
    return { bench: "stream", machine: machine(), date: new Date().toISOString(), batchSize, inflight, ...out, ratio, concurrentRatio };
  } finally {
    await svc.stop("SIGTERM");
    await new Promise<void>((r) => producer.close(true, () => r()));
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.close();
  }
}
