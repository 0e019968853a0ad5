import { performance } from "node:perf_hooks";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { IngestTicksRequestSchema, TickService, Timeframe } from "../gen/neliti/dataplane/v1/tick_pb.js";
import { createTempClickHouseDatabase } from "../test/harness/clickhouse.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { one } from "../test/harness/streams.js";
import { rowsBatch, series, tick } from "../test/harness/ticks.js";
import { arg, machine, requireEnv, round, summarize } from "./lib.js";

/**
 * Live bars under load: from sending a probe tick to the bar update that counts it at a
 * SubscribeCandles subscriber, p50/p99, while a background stream ingests `rate` ticks/s of other
 * symbols; the same probe's arrival at a SubscribeTicks subscriber is the baseline (the feed both
 * are built from), and its ack, measured in the same run. Times are from the send: the fan-out
 * runs before the ack is written, so subscribers can hear of a tick before its sender does. One replica on ClickHouse, ticks stored
 * directly; the client is the bench's Node process (connect-node).
 */
export async function run() {
  const clickhouse = requireEnv("CLICKHOUSE_URL");
  const rate = arg("rate", 50_000);
  const probes = arg("probes", 300);
  const db = await createTempClickHouseDatabase(clickhouse);
  const svc = await startServerProcess({ CLICKHOUSE_URL: db.url, AUTH_JWT_SECRET: "b".repeat(32), AUTH_ENABLED: "false" });
  const client = createClient(TickService, createGrpcTransport({ baseUrl: svc.url }));
  const abort = new AbortController();
  try {
    // Background load: 1,000-tick batches of eight other symbols, as many a second as the rate asks.
    const batchTicks = 1000;
    let loadAcked = 0;
    const load = (async () => {
      const start = performance.now();
      async function* batches() {
        for (let i = 0; !abort.signal.aborted; i++) {
          const wait = start + (i * batchTicks * 1000) / rate - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          yield create(IngestTicksRequestSchema, { batch: rowsBatch(`load-${i}`, series(batchTicks, { symbol: `LOAD${i % 8}` }, Date.now())) });
        }
      }
      try {
        for await (const ack of client.ingestTicks(batches(), { signal: abort.signal })) loadAcked += ack.acceptedTicks;
      } catch {
        // ended by the abort
      }
    })();

    // The probe's arrivals: at the bar subscriber (matched by its tick count) and the tick subscriber (by its time).
    const barAt = new Map<number, number>();
    const tickAt = new Map<number, number>();
    const bars = (async () => {
      try {
        for await (const m of client.subscribeCandles({ symbols: ["PROBE"], timeframe: Timeframe.H1, updateIntervalMs: 10 }, { signal: abort.signal })) {
          if (!m.closed) barAt.set(Number(m.candle!.tickCount), performance.now());
        }
      } catch {
        // ended by the abort
      }
    })();
    const ticks = (async () => {
      try {
        for await (const m of client.subscribeTicks({ symbols: ["PROBE"] }, { signal: abort.signal })) for (const t of m.ticks) tickAt.set(Number(t.timeMsc), performance.now());
      } catch {
        // ended by the abort
      }
    })();
    await new Promise((r) => setTimeout(r, 2000));

    // Probes in a bar of their own, an hour ahead, so the clock never closes it mid-run.
    const hour = 3_600_000;
    const base = Math.floor(Date.now() / hour) * hour + 2 * hour;
    const toBar: number[] = [];
    const toTick: number[] = [];
    const toAck: number[] = [];
    const loadStart = loadAcked;
    const t0 = performance.now();
    for (let i = 1; i <= probes; i++) {
      const time = base + i;
      const batch = create(IngestTicksRequestSchema, { batch: rowsBatch(`probe-${i}`, [tick({ symbol: "PROBE", timeMsc: BigInt(time) })]) });
      const sentAt = performance.now();
      for await (const _ of client.ingestTicks(one(batch))) toAck.push(performance.now() - sentAt);
      const deadline = performance.now() + 2000;
      while ((!barAt.has(i) || !tickAt.has(time)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      // From the send: the fan-out runs before the ack is written, so a subscriber can hear first.
      if (barAt.has(i)) toBar.push(barAt.get(i)! - sentAt);
      if (tickAt.has(time)) toTick.push(tickAt.get(time)! - sentAt);
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - t0) / 1000;
    const loadRate = Math.round((loadAcked - loadStart) / seconds);
    abort.abort();
    await Promise.all([load, bars, ticks]);
    const bar = summarize(toBar);
    const feed = summarize(toTick);
    const ack = summarize(toAck);
    console.log(`live bench: ${probes} probe ticks while ingesting ${loadRate} ticks/s of other symbols (asked ${rate}); ${machine()}`);
    console.log(`send -> ack:                                   p50 ${ack.p50} ms, p99 ${ack.p99} ms`);
    console.log(`send -> tick at a SubscribeTicks subscriber:   p50 ${feed.p50} ms, p99 ${feed.p99} ms (${feed.n} seen; the baseline)`);
    console.log(`send -> updated bar at a SubscribeCandles one: p50 ${bar.p50} ms, p99 ${bar.p99} ms (${bar.n} seen; updates at most every 10 ms)`);
    console.log(`ratio bar/tick p50 ${round(bar.p50 / feed.p50)}, p99 ${round(bar.p99 / feed.p99)}`);
    return { bench: "live", machine: machine(), date: new Date().toISOString(), probes, loadTicksPerSecond: loadRate, sendToAckMs: ack, sendToTickMs: feed, sendToBarMs: bar };
  } finally {
    abort.abort();
    await svc.stop("SIGTERM");
    await db.drop();
  }
}
