import { randomUUID } from "node:crypto";
import { createClient as createClickHouse } from "@clickhouse/client";
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import weaviate from "weaviate-client";
import { expect, it } from "vitest";
import { describeWithBackend, uniqueSuffix } from "../harness/backends.js";

/**
 * One smoke test per real backend: connect, write, read back, through the client library the
 * project uses for it. Each cleans up what it wrote.
 */

describeWithBackend("postgres", "PostgreSQL smoke", (url) => {
  it("writes and reads back a row through pg", async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const table = `smoke_${uniqueSuffix()}`;
      await client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, note text)`);
      await client.query(`INSERT INTO ${table} VALUES ($1, $2)`, [1, "hello"]);
      expect((await client.query(`SELECT note FROM ${table} WHERE id = $1`, [1])).rows).toEqual([{ note: "hello" }]);
      await client.query(`DROP TABLE ${table}`);
    } finally {
      await client.end();
    }
  });
});

describeWithBackend("redis", "Redis (Dragonfly stand-in) smoke", (url) => {
  it("writes and reads back a key through ioredis", async () => {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      const key = `smoke:${uniqueSuffix()}`;
      await redis.set(key, "hello", "PX", 10_000);
      expect(await redis.get(key)).toBe("hello");
      await redis.del(key);
    } finally {
      redis.disconnect();
    }
  });
});

describeWithBackend("clickhouse", "ClickHouse smoke", (url) => {
  it("writes and reads back rows through @clickhouse/client", async () => {
    const ch = createClickHouse({ url });
    try {
      const table = `smoke_${uniqueSuffix()}`;
      await ch.command({ query: `CREATE TABLE ${table} (id UInt32, note String) ENGINE = Memory` });
      await ch.insert({ table, values: [{ id: 1, note: "hello" }], format: "JSONEachRow" });
      const rows = await (await ch.query({ query: `SELECT id, note FROM ${table}`, format: "JSONEachRow" })).json();
      expect(rows).toEqual([{ id: 1, note: "hello" }]);
      await ch.command({ query: `DROP TABLE ${table}` });
    } finally {
      await ch.close();
    }
  });
});

describeWithBackend("kafka", "Kafka (Redpanda stand-in) smoke", (brokers) => {
  it("produces and consumes a message through kafkajs", async () => {
    const kafka = new Kafka({ clientId: "smoke", brokers: brokers.split(","), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const topic = `smoke_${uniqueSuffix()}`;
    await admin.connect();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `smoke_${uniqueSuffix()}` });
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: "k", value: "hello" }] });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const got = await new Promise<string>((resolve) => {
        void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? "") });
      });
      expect(got).toBe("hello");
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});

describeWithBackend("weaviate", "Weaviate smoke", (url) => {
  it("writes and reads back an object through weaviate-client (HTTP and gRPC)", async () => {
    const u = new URL(url);
    const client = await weaviate.connectToCustom({
      httpHost: u.hostname,
      httpPort: Number(u.port),
      grpcHost: u.hostname,
      grpcPort: Number(process.env.WEAVIATE_GRPC_PORT ?? 50051),
    });
    const name = `Smoke${uniqueSuffix()}`;
    try {
      const collection = await client.collections.create({ name, properties: [{ name: "note", dataType: "text" }] });
      const id = randomUUID();
      await collection.data.insert({ id, properties: { note: "hello" }, vectors: [1, 0, 0] });
      const got = await collection.query.nearVector([1, 0, 0], { limit: 1 });
      expect(got.objects.map((o) => [o.uuid, o.properties.note])).toEqual([[id, "hello"]]);
    } finally {
      await client.collections.delete(name);
      await client.close();
    }
  });
});
