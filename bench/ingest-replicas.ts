import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { create } from "@bufbuild/protobuf";
import { createClient as createClickHouse } from "@clickhouse/client";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { IngestTicksRequestSchema, TickService } from "../gen/neliti/dataplane/v1/tick_pb.js";
import { NativeBlockEncoder } from "../src/backends/clickhouse/native-block.js";
import { KafkaStreamLog } from "../src/backends/kafka/stream-log.js";
import { blockFromTicks } from "../src/tick-block/proto-codec.js";
import { logParts, logRecord } from "../src/tick-log/tick-log.js";
import { uniqueSuffix } from "../test/harness/backends.js";
import { createTempClickHouseDatabase } from "../test/harness/clickhouse.js";
import { rowsBatch, series } from "../test/harness/ticks.js";
import { startServerProcess, type ServerProcess } from "../test/harness/server-process.js";
import { CLICKHOUSE_PROCESS, countRows, directInsert, makeBatches, serviceInsert, streamBatches } from "./ingest.js";
import { ghzLatency } from "./load.js";
import { arg, cpuPerItem, cpuText, drive, machine, median, pidOf, requireEnv, round, summarize } from "./lib.js";

const BROKER_PROCESS = "kafka.Kafka";
/** TICK_LOG_HANDOVER_MS's default and a second: a fresh writer group's partitions are writable by then. */
const HANDOVER_WAIT_MS = 7000;

type Batches = ReturnType<typeof makeBatches>;
type Stack = { clickhouse: string; brokers: string[] };

/** Replicas with the tick log on, sharing a fresh database, topic and writer group. */
async function startLogged(n: number, dbUrl: string, stack: Stack, extra: Record<string, string> = {}): Promise<{ replicas: ServerProcess[]; topic: string }> {
  const id = uniqueSuffix();
  const topic = `bench-ticks-${id}`;
  const env = {
    CLICKHOUSE_URL: dbUrl,
    KAFKA_BROKERS: stack.brokers.join(","),
    AUTH_JWT_SECRET: "b".repeat(32),
    AUTH_ENABLED: "false",
    TICK_LOG: "true",
    TICK_LOG_TOPIC: topic,
    TICK_LOG_WRITER_GROUP: `bench-writer-${id}`,
    REPLICAS: String(n),
    ...extra,
  };
  // One at a time: each replica's writer joins the group before the next.
  const replicas: ServerProcess[] = [];
  for (let i = 0; i < n; i++) replicas.push(await startServerProcess(env));
  return { replicas, topic };
}

/** The same records the service appends, produced straight into a fresh 12-partition topic by the same client (@platformatic/kafka through the service's adapter). */
async function directProduce(stack: Stack, batches: Batches, inflight: number) {
  const kafka = new KafkaStreamLog({ brokers: stack.brokers, clientId: "bench-direct", timeoutMs: 10_000, retries: 2 });
  const topic = `bench-direct-${uniqueSuffix()}`;
  await kafka.createTopic({ name: topic, partitions: 12, replicationFactor: 1, retentionMs: 3_600_000 });
  const ticks = batches.reduce((n, b) => n + b.block.length, 0);
  const t0 = performance.now();
  // Encoding included: a producer holding typed arrays encodes each batch as it sends it.
  const { result, cpuMicrosPerItem } = await cpuPerItem({ bench: process.pid, broker: pidOf(BROKER_PROCESS) }, ticks, () =>
    drive(batches.length, inflight, (i) => kafka.publish(topic, logParts(batches[i]!.id, batches[i]!.block).map(logRecord))),
  );
  const seconds = (performance.now() - t0) / 1000;
  await kafka.close();
  const out = { topic, ticksPerSecond: Math.round(ticks / seconds), latencyMs: result.latencyMs, cpuMicrosPerTick: cpuMicrosPerItem };
  console.log(`direct produce:  ${out.ticksPerSecond} ticks/s (${inflight} sends in flight; send p50 ${out.latencyMs.p50} ms, p99 ${out.latencyMs.p99} ms); CPU us per tick: ${cpuText(cpuMicrosPerItem)}`);
  return out;
}

/**
 * Every batch through `n` replicas (streams spread over them), acknowledged at the log; then the
 * writer's drain into ClickHouse, sampled every 250 ms from the start (the lag over time).
 */
async function throughLog(n: number, stack: Stack, batches: Batches, streams: number, window: number) {
  const db = await createTempClickHouseDatabase(stack.clickhouse);
  const { replicas } = await startLogged(n, db.url, stack);
  try {
    // Past the writers' handover wait after joining, as in steady operation.
    await new Promise((r) => setTimeout(r, HANDOVER_WAIT_MS));
    const requests = batches.map((b) => create(IngestTicksRequestSchema, { batch: b.columns }));
    const ticks = batches.reduce((x, b) => x + b.block.length, 0);
    const lag: { s: number; acked: number; stored: number }[] = [];
    let acked = 0;
    const t0 = performance.now();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        lag.push({ s: round((performance.now() - t0) / 1000, 2), acked, stored: await countRows(db.url) });
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const pids = Object.fromEntries([...replicas.map((r, i) => [`service${i + 1}`, r.proc.pid]), ["bench", process.pid], ["clickhouse", pidOf(CLICKHOUSE_PROCESS)], ["broker", pidOf(BROKER_PROCESS)]]);
    const { result, cpuMicrosPerItem } = await cpuPerItem(pids, ticks, async () => {
      const r = await streamBatches(
        replicas.map((p) => p.url),
        requests,
        streams,
        window,
        (ack) => (acked += ack.acceptedTicks),
      );
      const ackedAt = performance.now();
      // The writer's lag after the last ack: until ClickHouse holds every row.
      const deadline = ackedAt + 300_000;
      while ((await countRows(db.url)) < ticks && performance.now() < deadline) await new Promise((res) => setTimeout(res, 100));
      return { ...r, ackSeconds: (ackedAt - t0) / 1000, storedSeconds: (performance.now() - t0) / 1000 };
    });
    sampling = false;
    await sampler;
    const stored = await countRows(db.url);
    if (stored !== ticks) throw new Error(`stored ${stored} rows of ${ticks}`);
    const out = {
      replicas: n,
      ackedTicksPerSecond: Math.round(ticks / result.ackSeconds),
      ackLatencyMs: summarize(result.latencies),
      drainTicksPerSecond: Math.round(ticks / result.storedSeconds),
      lastRowStoredAfterLastAckS: round(result.storedSeconds - result.ackSeconds, 2),
      maxLagTicks: Math.max(...lag.map((l) => l.acked - l.stored)),
      lag: lag.filter((_, i) => i % 4 === 0),
      cpuMicrosPerTick: cpuMicrosPerItem,
    };
    console.log(
      `service, ${n} replica(s), log as ack point: ${out.ackedTicksPerSecond} ticks/s acknowledged, ack p50 ${out.ackLatencyMs.p50} ms, p99 ${out.ackLatencyMs.p99} ms; ` +
        `ClickHouse holds all ${ticks} after ${round(result.storedSeconds, 2)} s (${out.drainTicksPerSecond} ticks/s, last row ${out.lastRowStoredAfterLastAckS} s after the last ack, max lag ${out.maxLagTicks} ticks); CPU us per tick: ${cpuText(cpuMicrosPerItem)}`,
    );
    console.log(`  lag over time (s: acked/stored): ${out.lag.map((l) => `${l.s}: ${l.acked}/${l.stored}`).join(", ")}`);
    return out;
  } finally {
    await Promise.all(replicas.map((r) => r.stop("SIGTERM")));
    await db.drop();
  }
}

/**
 * The writer alone: `n` replicas started on a topic that already holds every batch (the direct
 * produce's), draining it into a fresh database while nothing is ingested. The drain rate is
 * taken from the first INSERT to the last row (rows after the first INSERT over that time), so
 * a new owner's handover wait is not counted. CPU from the first row to the last.
 */
async function drainBacklog(n: number, stack: Stack, topic: string, ticks: number) {
  const db = await createTempClickHouseDatabase(stack.clickhouse);
  const { replicas } = await startLogged(n, db.url, stack, { TICK_LOG_TOPIC: topic });
  try {
    const deadline = performance.now() + 300_000;
    let first = 0;
    while ((first = await countRows(db.url)) === 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    const pids = Object.fromEntries([...replicas.map((r, i) => [`service${i + 1}`, r.proc.pid]), ["clickhouse", pidOf(CLICKHOUSE_PROCESS)], ["broker", pidOf(BROKER_PROCESS)]]);
    const { cpuMicrosPerItem } = await cpuPerItem(pids, ticks - first, async () => {
      while ((await countRows(db.url)) < ticks && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    });
    const seconds = (performance.now() - t0) / 1000;
    const stored = await countRows(db.url);
    if (stored !== ticks) throw new Error(`the writer stored ${stored} rows of ${ticks}`);
    const out = { replicas: n, ticksPerSecond: Math.round((ticks - first) / seconds), firstInsertTicks: first, cpuMicrosPerTick: cpuMicrosPerItem };
    console.log(`writer draining a backlog, ${n} replica(s): ${out.ticksPerSecond} ticks/s after the first INSERT (${first} ticks); CPU us per tick: ${cpuText(cpuMicrosPerItem)}`);
    return out;
  } finally {
    await Promise.all(replicas.map((r) => r.stop("SIGTERM")));
    await db.drop();
  }
}

/** ClickHouse's InsertQuery counter: INSERTs the server ran since it started. */
async function insertQueries(url: string): Promise<number> {
  const ch = createClickHouse({ url });
  const [r] = await (await ch.query({ query: "SELECT value FROM system.events WHERE event = 'InsertQuery'", format: "JSONEachRow", clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } })).json<{ value: number }>();
  await ch.close();
  return Number(r?.value ?? 0);
}

/**
 * A bridge's pace: one stream, a 10-tick batch every 50 ms for `seconds`, into `ingestUrl`; a
 * subscriber on `subscriberUrl` (another replica, when there is one). Send-to-ack and
 * send-to-subscriber latencies, ack-to-visible in ClickHouse (tick_batches polled every 20 ms),
 * and how many INSERTs ClickHouse ran meanwhile.
 */
async function bridgePace(label: string, ingestUrl: string, subscriberUrl: string, dbUrl: string, clickhouseUrl: string, seconds: number) {
  const symbol = `PACE${uniqueSuffix()}`.slice(0, 32);
  const count = Math.round((seconds * 1000) / 50);
  const sentAt = new Map<number, number>();
  const ackAt = new Map<string, number>();
  const seen: number[] = [];
  const abort = new AbortController();
  const sub = createClient(TickService, createGrpcTransport({ baseUrl: subscriberUrl }));
  let subscribed = false;
  const subscriber = (async () => {
    try {
      for await (const m of sub.subscribeTicks({ symbols: [symbol] }, { signal: abort.signal })) {
        subscribed = true;
        const t = performance.now();
        // The last tick of a batch carries its time: one arrival per batch.
        const last = Number(m.ticks.at(-1)!.timeMsc);
        const sent = sentAt.get(last);
        if (sent !== undefined) seen.push(t - sent);
      }
    } catch {
      // aborted
    }
  })();
  await new Promise((r) => setTimeout(r, 500));
  const ch = createClickHouse({ url: dbUrl });
  const visibleAfterAck: number[] = [];
  const visible = new Set<string>();
  let polling = true;
  const poller = (async () => {
    while (polling || visible.size < ackAt.size) {
      const rows = await (await ch.query({ query: `SELECT batch_id FROM tick_batches WHERE batch_id LIKE '${symbol}-%'`, format: "JSONEachRow" })).json<{ batch_id: string }>();
      const t = performance.now();
      for (const { batch_id } of rows) {
        if (visible.has(batch_id) || !ackAt.has(batch_id)) continue;
        visible.add(batch_id);
        visibleAfterAck.push(t - ackAt.get(batch_id)!);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const inserts0 = await insertQueries(clickhouseUrl);
  const client = createClient(TickService, createGrpcTransport({ baseUrl: ingestUrl }));
  const acks: number[] = [];
  const base = Date.now() - 60_000;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + i * 50 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = `${symbol}-${i}`;
    const last = base + i * 10 + 9;
    const batch = rowsBatch(id, series(10, { symbol }, last));
    const t = performance.now();
    sentAt.set(last, t);
    for await (const ack of client.ingestTicks((async function* () { yield create(IngestTicksRequestSchema, { batch }); })())) {
      ackAt.set(ack.batchId, performance.now());
      acks.push(performance.now() - t);
    }
  }
  const deadline = performance.now() + 30_000;
  while (visible.size < count && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  polling = false;
  await poller;
  await ch.close();
  abort.abort();
  await subscriber;
  const inserts = (await insertQueries(clickhouseUrl)) - inserts0;
  const out = {
    batches: count,
    subscribed,
    ackMs: summarize(acks),
    subscriberMs: summarize(seen),
    visibleAfterAckMs: summarize(visibleAfterAck),
    insertQueries: inserts,
  };
  console.log(
    `${label}: ${count} batches of 10 ticks every 50 ms (bench's Node client, connect-node): send->ack p50 ${out.ackMs.p50} ms, p99 ${out.ackMs.p99} ms; send->subscriber p50 ${out.subscriberMs.p50} ms, p99 ${out.subscriberMs.p99} ms (${out.subscriberMs.n} batches); ` +
      `ack->visible in ClickHouse p50 ${out.visibleAfterAckMs.p50} ms, p99 ${out.visibleAfterAckMs.p99} ms; ClickHouse INSERTs ${inserts}`,
  );
  return out;
}

/**
 * Send-to-ack at a bridge's pace from ghz (a Go client, pinned to core 1): one IngestTicks call
 * per 10-tick batch, 20 a second, each batch its own id. With `subscriberUrl`, this process (Node,
 * connect-node, doing nothing else meanwhile) subscribes there and times each batch from its
 * ticks' time, which ghz sets to the wall-clock millisecond it builds the call in: truncated to
 * the millisecond, so the figure is late by up to 1 ms, never early.
 */
async function ghzPace(port: number, seconds: number, subscriberUrl?: string) {
  const run = uniqueSuffix();
  const symbol = `GHZ${run}`.slice(0, 32);
  const ticks = Array.from({ length: 10 }, (_, i) => ({ symbol, broker: "Bench", accountType: "ACCOUNT_TYPE_REAL", timeMsc: "{{.TimestampUnixMilli}}", bid: 1.1 + i / 1e5, ask: 1.2, flags: 6 }));
  const calls = Math.round((seconds * 1000) / 50);
  const seen: number[] = [];
  const abort = new AbortController();
  const subscriber = subscriberUrl
    ? (async () => {
        const sub = createClient(TickService, createGrpcTransport({ baseUrl: subscriberUrl }));
        try {
          for await (const m of sub.subscribeTicks({ symbols: [symbol] }, { signal: abort.signal })) {
            seen.push(performance.timeOrigin + performance.now() - Number(m.ticks.at(-1)!.timeMsc));
          }
        } catch {
          // aborted
        }
      })()
    : undefined;
  if (subscriber) await new Promise((r) => setTimeout(r, 500));
  const r = await ghzLatency({ port, call: "neliti.dataplane.v1.TickService.IngestTicks", data: { batch: { batchId: `ghz-${run}-{{.RequestNumber}}`, rows: { ticks } } }, calls, rps: 20 });
  if (subscriber) {
    const deadline = performance.now() + 5_000;
    while (seen.length < calls && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await subscriber;
  }
  const subscriberMs = subscriber ? summarize(seen) : undefined;
  // The floor of any call at this pace on this machine: an empty health check, same client, same rate.
  const floor = await ghzLatency({ port, call: "grpc.health.v1.Health.Check", data: {}, calls, rps: 20 });
  console.log(
    `  ghz, same pace: send->ack p50 ${r.p50} ms, p99 ${r.p99} ms (${calls} calls)` +
      (subscriberMs ? `; send->subscriber on the other replica (Node) p50 ${subscriberMs.p50} ms, p99 ${subscriberMs.p99} ms (${subscriberMs.n} of ${calls} batches)` : "") +
      `; Health.Check at the same pace (the floor) p50 ${floor.p50} ms, p99 ${floor.p99} ms`,
  );
  return { ...r, subscriberMs, floor };
}

/** The layer beneath the log path at the bridge's pace: the same record produced straight to the broker (Node, the service's adapter). */
async function producePace(stack: Stack, seconds: number) {
  const kafka = new KafkaStreamLog({ brokers: stack.brokers, clientId: "bench-pace", timeoutMs: 3000, retries: 2 });
  const topic = `bench-pace-${uniqueSuffix()}`;
  await kafka.createTopic({ name: topic, partitions: 12, replicationFactor: 1, retentionMs: 3_600_000 });
  const samples: number[] = [];
  const count = Math.round((seconds * 1000) / 50);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + i * 50 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const records = logParts(`pace-${i}`, blockFromTicks(series(10, { symbol: "PACE" }))).map(logRecord);
    const t = performance.now();
    await kafka.publish(topic, records);
    samples.push(performance.now() - t);
  }
  await kafka.close();
  const out = summarize(samples);
  console.log(`direct produce at the same pace (Node, @platformatic/kafka through the service's adapter): p50 ${out.p50} ms, p99 ${out.p99} ms`);
  return out;
}

/** The bridge pace, stored directly by one replica (no log) and through the log over two. */
async function paceRound(stack: Stack, seconds: number) {
  const produce = await producePace(stack, seconds);
  // Without the log, the INSERT is the ack: at the default flush delay (5 ms) one INSERT per
  // batch; a longer INGEST_FLUSH_MS gathers a bridge's batches into fewer INSERTs, at that cost in latency.
  const withoutLog = [];
  for (const flushMs of ["5", "250"]) {
    const direct = await createTempClickHouseDatabase(stack.clickhouse);
    const one = await startServerProcess({ CLICKHOUSE_URL: direct.url, AUTH_JWT_SECRET: "b".repeat(32), AUTH_ENABLED: "false", INGEST_FLUSH_MS: flushMs });
    try {
      const label = `one replica, no log (ack at the ClickHouse INSERT), INGEST_FLUSH_MS=${flushMs}`;
      withoutLog.push({ flushMs: Number(flushMs), ...(await bridgePace(label, one.url, one.url, direct.url, stack.clickhouse, seconds)), ghzAckMs: await ghzPace(one.port, seconds) });
    } finally {
      await one.stop("SIGTERM");
      await direct.drop();
    }
  }
  const logged = await createTempClickHouseDatabase(stack.clickhouse);
  const { replicas } = await startLogged(2, logged.url, stack);
  let withLog;
  try {
    await new Promise((r) => setTimeout(r, HANDOVER_WAIT_MS));
    withLog = {
      ...(await bridgePace("two replicas, log as ack point (ingest on A, subscriber on B)", replicas[0]!.url, replicas[1]!.url, logged.url, stack.clickhouse, seconds)),
      ghzAckMs: await ghzPace(replicas[0]!.port, seconds, replicas[1]!.url),
    };
  } finally {
    await Promise.all(replicas.map((r) => r.stop("SIGTERM")));
    await logged.drop();
  }
  return { produce, withoutLog, withLog };
}

/** A direct Native insert of the same rows, the writer's own format (the drain's baseline). */
/**
 * What the machine can give a tick at the acknowledged-rate target, against what the layers
 * beneath the service spend on one in the same round, before the service does anything. With the
 * writer keeping up (its lag bounded, as the target also asks), every acknowledged tick costs at
 * least ClickHouse's CPU for a direct insert of it and the broker's for a direct produce of it (a
 * client on the same machine adds its own); if those alone need more CPU than the cores give at
 * the target rate, no service can reach it on this machine.
 */
function machineBudget(produce: { ticksPerSecond: number; cpuMicrosPerTick: Record<string, number> }, insert: { rowsPerSecond: number; cpuMicrosPerRow: Record<string, number> }) {
  const cores = availableParallelism();
  const targetTicksPerSecond = Math.round(0.8 * produce.ticksPerSecond);
  const budgetMicrosPerTick = round((cores * 1e6) / targetTicksPerSecond, 2);
  const beneath = { clickhouse: insert.cpuMicrosPerRow.clickhouse ?? 0, broker: produce.cpuMicrosPerTick.broker ?? 0, client: produce.cpuMicrosPerTick.bench ?? 0 };
  const floorMicrosPerTick = round(beneath.clickhouse + beneath.broker, 2);
  const out = { cores, targetTicksPerSecond, budgetMicrosPerTick, beneath, floorMicrosPerTick, reachable: floorMicrosPerTick <= budgetMicrosPerTick, insertRowsPerSecond: insert.rowsPerSecond };
  console.log(
    `machine budget at the target (0.8 x direct produce = ${targetTicksPerSecond} ticks/s): ${cores} cores give ${budgetMicrosPerTick} us of CPU a tick; ` +
      `ClickHouse inserting and the broker alone spend ${floorMicrosPerTick} (${beneath.clickhouse} + ${beneath.broker}; a producing client here adds ${beneath.client}) before the service's own work: ` +
      `${out.reachable ? "reachable in principle" : "not reachable on this machine"}; direct insert (2 in flight) ${insert.rowsPerSecond} rows/s, the most a bounded lag allows`,
  );
  return out;
}

async function directNative(stack: Stack, batches: Batches, inflight: number) {
  const db = await createTempClickHouseDatabase(stack.clickhouse);
  try {
    const native = new NativeBlockEncoder("Int64");
    return await directInsert(db.url, batches, inflight, "Native", (chunk) => native.encode(chunk));
  } finally {
    await db.drop();
  }
}

export async function run() {
  const stack = { clickhouse: requireEnv("CLICKHOUSE_URL"), brokers: requireEnv("KAFKA_BROKERS").split(",") };
  const n = arg("replicas", 2);
  const batchSize = arg("batch", 5000);
  const batchCount = arg("batches", 1000);
  const streams = arg("streams", 2);
  const window = arg("window", 16);
  const rounds = arg("rounds", 3);
  const paceSeconds = arg("pace-seconds", 10);
  const batches = makeBatches(batchCount, batchSize);
  const ticks = batchSize * batchCount;
  console.log(`ingest bench, replicas mode: ${rounds} rounds of ${ticks} ticks (${batchCount} columnar batches of ${batchSize}, ${streams} streams x ${window} in flight), 1 vs ${n} replicas; ${machine()}`);
  const results = [];
  for (let r = 0; r < rounds; r++) {
    const produce = await directProduce(stack, batches, streams * window);
    const insert = await directNative(stack, batches, 1);
    // The writer inserts with INGEST_FLUSH_CONCURRENCY (2) INSERTs in flight: the same, direct.
    const insertTwo = await directNative(stack, batches, 2);
    // The layer beneath the log path: the same service storing directly (no log, one replica).
    const directDb = await createTempClickHouseDatabase(stack.clickhouse);
    const noLog = await serviceInsert(directDb.url, { url: stack.clickhouse, batches, streams, window }).finally(() => directDb.drop());
    const backlog1 = await drainBacklog(1, stack, produce.topic, ticks);
    const backlogN = await drainBacklog(n, stack, produce.topic, ticks);
    const single = await throughLog(1, stack, batches, streams, window);
    const several = await throughLog(n, stack, batches, streams, window);
    const budget = machineBudget(produce, insertTwo);
    const ratios = {
      backlogVsInsert1: round(backlog1.ticksPerSecond / insert.rowsPerSecond),
      backlogVsInsertN: round(backlogN.ticksPerSecond / insert.rowsPerSecond),
      backlogVsInsertTwo1: round(backlog1.ticksPerSecond / insertTwo.rowsPerSecond),
      backlogVsInsertTwoN: round(backlogN.ticksPerSecond / insertTwo.rowsPerSecond),
      ackedVsProduce1: round(single.ackedTicksPerSecond / produce.ticksPerSecond),
      ackedVsProduceN: round(several.ackedTicksPerSecond / produce.ticksPerSecond),
      drainVsInsert1: round(single.drainTicksPerSecond / insert.rowsPerSecond),
      drainVsInsertN: round(several.drainTicksPerSecond / insert.rowsPerSecond),
      replicasVsOne: round(several.ackedTicksPerSecond / single.ackedTicksPerSecond),
      logVsNoLog: round(single.ackedTicksPerSecond / noLog.rowsPerSecond),
    };
    console.log(
      `round ratios: acknowledged/direct produce ${ratios.ackedVsProduce1} (1 replica), ${ratios.ackedVsProduceN} (${n}); drain while ingesting/direct insert ${ratios.drainVsInsert1} (1), ${ratios.drainVsInsertN} (${n}); ` +
        `backlog drain/direct insert ${ratios.backlogVsInsert1} (1), ${ratios.backlogVsInsertN} (${n}), /direct insert 2 in flight ${ratios.backlogVsInsertTwo1} (1), ${ratios.backlogVsInsertTwoN} (${n}); ${n} replicas/1 ${ratios.replicasVsOne}; log/no log (1 replica) ${ratios.logVsNoLog}`,
    );
    results.push({ produce, insert, insertTwo, noLog, backlog1, backlogN, single, several, budget, ratios });
  }
  // --rounds 0: the bridge's pace alone, on a machine no throughput round has just loaded;
  // --pace-seconds 0: the throughput rounds alone (ghz asked for 0 calls ran until killed).
  const pace = paceSeconds > 0 ? await paceRound(stack, paceSeconds) : undefined;
  if (results.length === 0) return { bench: "ingest-replicas", machine: machine(), date: new Date().toISOString(), replicas: n, pace };
  const summary = {
    directProduceTicksPerSecond: median(results.map((r) => r.produce.ticksPerSecond)),
    directInsertRowsPerSecond: median(results.map((r) => r.insert.rowsPerSecond)),
    ackedTicksPerSecond1: median(results.map((r) => r.single.ackedTicksPerSecond)),
    ackedTicksPerSecondN: median(results.map((r) => r.several.ackedTicksPerSecond)),
    ackedVsProduce1: median(results.map((r) => r.ratios.ackedVsProduce1)),
    ackedVsProduceN: median(results.map((r) => r.ratios.ackedVsProduceN)),
    drainVsInsert1: median(results.map((r) => r.ratios.drainVsInsert1)),
    drainVsInsertN: median(results.map((r) => r.ratios.drainVsInsertN)),
    backlogVsInsert1: median(results.map((r) => r.ratios.backlogVsInsert1)),
    backlogVsInsertN: median(results.map((r) => r.ratios.backlogVsInsertN)),
    backlogVsInsertTwo1: median(results.map((r) => r.ratios.backlogVsInsertTwo1)),
    backlogVsInsertTwoN: median(results.map((r) => r.ratios.backlogVsInsertTwoN)),
    replicasVsOne: median(results.map((r) => r.ratios.replicasVsOne)),
    noLogRowsPerSecond: median(results.map((r) => r.noLog.rowsPerSecond)),
    logVsNoLog: median(results.map((r) => r.ratios.logVsNoLog)),
    budgetMicrosPerTick: median(results.map((r) => r.budget.budgetMicrosPerTick)),
    floorMicrosPerTick: median(results.map((r) => r.budget.floorMicrosPerTick)),
  };
  console.log(
    `median of ${rounds} rounds: direct produce ${summary.directProduceTicksPerSecond} ticks/s, direct Native insert ${summary.directInsertRowsPerSecond} rows/s; acknowledged ${summary.ackedTicksPerSecond1} (1 replica) / ${summary.ackedTicksPerSecondN} (${n}) ticks/s; ` +
      `ratio acknowledged/produce ${summary.ackedVsProduce1} / ${summary.ackedVsProduceN} (target >= 0.8); drain while ingesting/insert ${summary.drainVsInsert1} / ${summary.drainVsInsertN}, backlog drain/insert ${summary.backlogVsInsert1} / ${summary.backlogVsInsertN}, /insert 2 in flight ${summary.backlogVsInsertTwo1} / ${summary.backlogVsInsertTwoN} (target >= 0.8); ${n} replicas vs 1: ${summary.replicasVsOne}; ` +
      `the same service without the log ${summary.noLogRowsPerSecond} ticks/s (log/no log ${summary.logVsNoLog}); ` +
      `CPU a tick at the target: the machine gives ${summary.budgetMicrosPerTick} us, the layers beneath need ${summary.floorMicrosPerTick}`,
  );
  return { bench: "ingest-replicas", machine: machine(), date: new Date().toISOString(), replicas: n, ticks, batchSize, streams, window, rounds: results, pace, ...summary };
}
