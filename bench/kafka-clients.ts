import { performance } from "node:perf_hooks";
import { Admin, Producer, ProduceAcks } from "@platformatic/kafka";
import { Kafka, logLevel } from "kafkajs";
import { uniqueSuffix } from "../test/harness/backends.js";
import { arg, machine, requireEnv, summarize } from "./lib.js";

/**
 * The client choice for StreamService, by measurement: kafkajs (on the design card, unmaintained
 * since 2023) vs @platformatic/kafka 1.x, publishing to the same broker in the same run with acks
 * from all in-sync replicas and idempotence on.
 */
export async function run() {
  const brokers = requireEnv("KAFKA_BROKERS").split(",");
  const singles = arg("singles", 2000);
  const batches = arg("batches", 200);
  const batchSize = arg("batch", 500);
  const topic = `bench_clients_${uniqueSuffix()}`;
  const admin = new Admin({ clientId: "bench", bootstrapBrokers: brokers });
  await admin.createTopics({ topics: [topic], partitions: 6, replicas: 1 });
  const value = Buffer.alloc(200, 1);
  const results: Record<string, unknown> = {};
  try {
    const kafkajs = new Kafka({ clientId: "bench", brokers, logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
    await kafkajs.connect();
    const platformatic = new Producer({ clientId: "bench", bootstrapBrokers: brokers, idempotent: true, acks: ProduceAcks.ALL });
    const clients = {
      kafkajs: (msgs: { key: Buffer; value: Buffer }[]) => kafkajs.send({ topic, acks: -1, messages: msgs }),
      platformatic: (msgs: { key: Buffer; value: Buffer }[]) => platformatic.send({ messages: msgs.map((m) => ({ topic, key: m.key, value: m.value })) }),
    };
    for (const [name, send] of Object.entries(clients)) {
      for (let i = 0; i < 100; i++) await send([{ key: Buffer.from(`k${i}`), value }]);
      const lat: number[] = [];
      for (let i = 0; i < singles; i++) {
        const t = performance.now();
        await send([{ key: Buffer.from(`k${i % 50}`), value }]);
        lat.push(performance.now() - t);
      }
      const t0 = performance.now();
      for (let b = 0; b < batches; b++) await send(Array.from({ length: batchSize }, (_, i) => ({ key: Buffer.from(`k${i % 50}`), value })));
      const mps = Math.round((batches * batchSize) / ((performance.now() - t0) / 1000));
      results[name] = { single: summarize(lat), batchMessagesPerSecond: mps };
      console.log(`${name.padEnd(12)} single publish p50 ${summarize(lat).p50} ms p99 ${summarize(lat).p99} ms; batches of ${batchSize}: ${mps} msg/s`);
    }
    await kafkajs.disconnect();
    await platformatic.close();
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.close();
  }
  return { bench: "kafka-clients", machine: machine(), date: new Date().toISOString(), results };
}
