import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TickBatchSchema, WriteTicksRequestSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { KafkaStreamLog } from "../../src/backends/kafka/stream-log.js";
import { connect, TickService } from "../../src/client.js";
import { describeWithBackend, uniqueSuffix } from "../harness/backends.js";
import { startServerProcess, type ServerProcess } from "../harness/server-process.js";
import { rowsBatch, series } from "../harness/ticks.js";
import { one } from "../harness/streams.js";

describeWithBackend("kafka", "ticks and the mt5_tick_stream topic (real Kafka)", (brokers) => {
  let server: ServerProcess;
  let log: KafkaStreamLog;

  beforeAll(async () => {
    server = await startServerProcess({
      KAFKA_BROKERS: brokers,
      AUTH_JWT_SECRET: "k".repeat(32), AUTH_ENABLED: "false",
      TICK_STREAM_CONSUME: "true",
      TICK_STREAM_GROUP: `test-ingest-${uniqueSuffix()}`,
    });
    log = new KafkaStreamLog({ brokers: brokers.split(","), clientId: `test-${uniqueSuffix()}`, timeoutMs: 5000, retries: 2 });
  });
  afterAll(async () => {
    await log?.close();
    await server?.stop("SIGTERM");
  });

  it("publishes durable ticks to mt5_tick_stream, keyed by symbol and marked with their origin", async () => {
    const symbol = `PUB${uniqueSuffix()}`.slice(0, 20).toUpperCase();
    const start = Date.now();
    await connect(TickService, { baseUrl: server.url }).writeTicks(one(create(WriteTicksRequestSchema, { batch: rowsBatch(`pub-${symbol}`, series(3, { symbol })) })));
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 15_000);
    const sub = await log.subscribe({ topic: "mt5_tick_stream", start: { kind: "timestamp", timestampMs: start - 1000 }, groupId: undefined, autoCommit: false, maxBatch: 500 }, ac.signal);
    let found: { key: string; ticks: number; origin: string } | undefined;
    for await (const batch of sub.batches) {
      const m = batch.find((r) => new TextDecoder().decode(r.key) === symbol);
      if (m) {
        const published = fromBinary(TickBatchSchema, m.value);
        found = {
          key: symbol,
          ticks: published.payload.case === "rows" ? published.payload.value.ticks.length : 0,
          origin: new TextDecoder().decode(m.headers.find((h) => h.key === "origin")?.value ?? new Uint8Array()),
        };
        break;
      }
    }
    clearTimeout(timer);
    ac.abort();
    expect(found).toEqual({ key: symbol, ticks: 3, origin: "neliti-dataplane" });
  });

  it("ingests TickBatch messages a bridge publishes to mt5_tick_stream (the reverse path)", async () => {
    const symbol = `REV${uniqueSuffix()}`.slice(0, 20).toUpperCase();
    const batch = rowsBatch(`bridge-${symbol}`, series(4, { symbol }));
    await log.publish("mt5_tick_stream", [{ key: new TextEncoder().encode(symbol), value: toBinary(TickBatchSchema, batch), headers: [], timestampMs: 0 }]);
    const ticks = connect(TickService, { baseUrl: server.url });
    const deadline = Date.now() + 20_000;
    let got = 0;
    while (got < 4 && Date.now() < deadline) {
      got = (await ticks.getRecentTicks({ symbol, limit: 10 })).ticks.length;
      if (got < 4) await new Promise((r) => setTimeout(r, 250));
    }
    expect(got).toBe(4);
  });
});
