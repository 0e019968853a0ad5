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
import { arg, cpuPerItem, cpuText, cpuSeconds, drive, machine, median, pidOf, requireEnv, round, summarize } from "./lib.js";
import { grpcBody, h2load, pin } from "./load.js";

function once<K, V>(cache: Map<K, V>, key: K, make: () => V): V {
  let v = cache.get(key);
  if (v === undefined) cache.set(key, (v = make()));
  return v;
}

/**
 * Publish through the service vs @platformatic/kafka directly, same broker, same run. Service on
 * core 0, clients on core 1. Each path is driven by this process's Node client (the direct path's
 * only client; for the service, its typed stub); the service's figure with batches in flight is
 * also taken from h2load sending one pre-encoded request, because a Node gRPC client spends more
 * CPU a message than the service does and, on two cores, takes it from the service and the broker.
 */
export async function run() {
  const brokers = requireEnv("KAFKA_BROKERS");
  const singles = arg("singles", 2000);
  const batches = arg("batches", 200);
  const batchSize = arg("batch", 500);
  const inflight = arg("inflight", 4);
  const rounds = arg("rounds", 5);
  const topic = `bench_stream_${uniqueSuffix()}`;
  const admin = new Admin({ clientId: "bench", bootstrapBrokers: brokers.split(",") });
  await admin.createTopics({ topics: [topic], partitions: 6, replicas: 1 });
  const value = new Uint8Array(200).fill(1);
  const svc = await startServerProcess({ KAFKA_BROKERS: brokers, AUTH_JWT_SECRET: "p".repeat(32), AUTH_ENABLED: "false" });
  pin(svc.proc.pid!, 0);
  pin(process.pid, 1);
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
    // The same batches in flight from h2load; the topic's end offsets must grow by every message
    // sent, since h2load checks only the HTTP status and a gRPC error rides in the trailers.
    const body = grpcBody(PublishRequestSchema, { topic, messages: batch });
    const endOffsets = async () => {
      const [t] = await admin.listOffsets({ topics: [{ name: topic, partitions: Array.from({ length: 6 }, (_, partitionIndex) => ({ partitionIndex, timestamp: -1n })) }] });
      return (t?.partitions ?? []).reduce((sum, p) => sum + p.offset, 0n);
    };
    const brokerPid = pidOf("kafka.Kafka");
    // Rounds alternate the direct client and h2load on the service, each round's ratio from its own
    // pair, so a slow spell of the machine falls on both sides; the figure is the median.
    const h2loadRounds = [];
    for (let r = 0; r < rounds; r++) {
      const direct = await drive(batches, inflight, () => paths.direct(batch));
      const landedBefore = await endOffsets();
      const brokerBefore = brokerPid ? cpuSeconds(brokerPid) : 0;
      const h2 = h2load({ port: svc.port, pid: svc.proc.pid!, path: "/neliti.dataplane.v1.StreamService/Publish", body, calls: batches, clients: 1, streams: inflight });
      const brokerMicros = brokerPid ? round(((cpuSeconds(brokerPid) - brokerBefore) * 1e6) / (batches * batchSize), 2) : undefined;
      const landed = Number((await endOffsets()) - landedBefore);
      if (landed !== batches * batchSize) throw new Error(`h2load sent ${batches * batchSize} messages but ${landed} landed`);
      const directMessagesPerSecond = direct.opsPerSecond * batchSize;
      const service = { messagesPerSecond: h2.callsPerSecond * batchSize, cpuMicrosPerMessage: { service: round(h2.cpuMicrosPerCall / batchSize, 2), broker: brokerMicros } };
      h2loadRounds.push({ directMessagesPerSecond, ...service, ratio: round(service.messagesPerSecond / directMessagesPerSecond) });
      console.log(
        `round ${r + 1}: direct ${directMessagesPerSecond} msg/s, service from h2load ${service.messagesPerSecond} msg/s (all ${landed} landed; CPU us per message: service ${service.cpuMicrosPerMessage.service}, broker ${brokerMicros}): ratio ${h2loadRounds.at(-1)!.ratio}`,
      );
    }
    const h2loadService = {
      messagesPerSecond: median(h2loadRounds.map((r) => r.messagesPerSecond)),
      cpuMicrosPerMessage: { service: median(h2loadRounds.map((r) => r.cpuMicrosPerMessage.service)) },
      rounds: h2loadRounds,
    };
    const h2loadRatio = median(h2loadRounds.map((r) => r.ratio));
    const ratio = round(out.service!.messagesPerSecond / out.direct!.messagesPerSecond);
    const concurrentRatio = round(out.service!.concurrentMessagesPerSecond / out.direct!.concurrentMessagesPerSecond);
    console.log(
      `ratio service/direct (throughput): ${ratio} one batch at a time, ${concurrentRatio} with ${inflight} in flight (Node client), ` +
        `${h2loadRatio} with ${inflight} in flight (h2load, median of ${rounds} alternated rounds) (target >= 0.7; p50 target <= 2 ms); acks=all, idempotent; ${machine()}`,
    );
    return {
      bench: "stream",
      client: { direct: "@platformatic/kafka", service: "connect-node", serviceConcurrent: "h2load" },
      machine: machine(),
      date: new Date().toISOString(),
      batchSize,
      inflight,
      ...out,
      h2loadService,
      ratio,
      concurrentRatio,
      h2loadRatio,
    };
  } finally {
    await svc.stop("SIGTERM");
    await new Promise<void>((r) => producer.close(true, () => r()));
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.close();
  }
}
