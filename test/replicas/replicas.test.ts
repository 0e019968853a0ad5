import { join } from "node:path";
import { createClient } from "@clickhouse/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AckState, type Candle, IndicatorType, type TickBatch, Timeframe } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { CacheService, connect, TickService } from "../../src/client.js";
import { MIGRATIONS_ROOT, readMigrationFiles } from "../../src/migrations/migration-files.js";
import { backendUrl, describeWithBackend } from "../harness/backends.js";
import { createTempClickHouseDatabase } from "../harness/clickhouse.js";
import { ACKED, ingestOne, replicaEnv, settledTicks, startReplicas } from "../harness/replicas.js";
import type { ServerProcess } from "../harness/server-process.js";
import { rowsBatch, series, tick } from "../harness/ticks.js";
import { httpGet } from "../harness/tools.js";

const kafka = backendUrl("kafka");

/**
 * A subscription on one replica is in place once it has heard something: until then, warm-up
 * batches (of a symbol the test does not count) go through another replica, 100 ms apart.
 */
async function warmUp(url: string, heard: () => boolean, batch: (i: number) => TickBatch): Promise<void> {
  for (let i = 0; !heard(); i++) {
    expect(i).toBeLessThan(50);
    expect(await ingestOne(url, batch(i))).toBe(AckState.DURABLE);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Two real service processes on the same ClickHouse, Kafka and Redis with the tick log on, a
 * client spreading calls over both: they must answer as one.
 */
describeWithBackend("clickhouse", "replicas: two service processes answer like one (tick log)", (chUrl) => {
  let db: { url: string; drop(): Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;
  let stored = 0;
  const T0 = Date.now() - 60_000;

  beforeAll(async () => {
    if (!kafka) throw new Error("the replica suite needs Kafka (KAFKA_BROKERS)");
    db = await createTempClickHouseDatabase(chUrl);
    [a, b] = (await startReplicas(2, replicaEnv(db.url))) as [ServerProcess, ServerProcess];
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it("the same batch sent to both replicas at once, 20 times: stored once each, every ack true", async () => {
    const states: AckState[] = [];
    for (let i = 0; i < 20; i++) {
      const batch = rowsBatch(`both-${i}`, series(10, { symbol: "DUP" }, T0 + i * 100));
      states.push(...(await Promise.all([ingestOne(a.url, batch), ingestOne(b.url, batch)])));
    }
    expect(states.every((s) => ACKED.has(s))).toBe(true);
    stored += 200;
    expect(await settledTicks(db.url, stored, "concurrent retries across replicas")).toEqual({ rows: stored, batches: 20 });
    // What the writers say they stored, summed over the replicas, is what ClickHouse holds.
    const written = async (url: string) => Number(/^neliti_tick_log_written_ticks_total (\d+)/m.exec((await httpGet(url, "/metrics")).body)?.[1] ?? 0);
    expect((await written(a.url)) + (await written(b.url))).toBe(stored);
  });

  it("a retry on the other replica after the ack: DUPLICATE once that replica has seen the batch, and stored once", async () => {
    const batch = rowsBatch("retry-later", series(10, { symbol: "RETRY" }, T0 + 10_000));
    expect(await ingestOne(a.url, batch)).toBe(AckState.DURABLE);
    const onB = connect(TickService, { baseUrl: b.url });
    await expect.poll(async () => (await onB.getRecentTicks({ symbol: "RETRY", limit: 10 })).ticks.length, { timeout: 5000 }).toBe(10);
    expect(await ingestOne(b.url, batch)).toBe(AckState.DUPLICATE);
    stored += 10;
    expect(await settledTicks(db.url, stored, "sequential retry across replicas")).toEqual({ rows: stored, batches: 21 });
  });

  it("reads agree: B serves the newest ticks written through A, recent and latest", async () => {
    // B's own older ticks first, then newer ones through A.
    expect(await ingestOne(b.url, rowsBatch("reads-b", series(100, { symbol: "READ" }, T0 + 20_000)))).toBe(AckState.DURABLE);
    expect(await ingestOne(a.url, rowsBatch("reads-a", series(100, { symbol: "READ", bid: 2, ask: 2.0002 }, T0 + 30_000)))).toBe(AckState.DURABLE);
    stored += 200;
    for (const replica of [a, b]) {
      const client = connect(TickService, { baseUrl: replica.url });
      await expect
        .poll(async () => (await client.getRecentTicks({ symbol: "READ", limit: 100 })).ticks.map((t) => Number(t.timeMsc)), { timeout: 5000 })
        .toEqual(Array.from({ length: 100 }, (_, i) => T0 + 30_000 - i));
      const cache = connect(CacheService, { baseUrl: replica.url });
      await expect.poll(async () => Number((await cache.getLatestTick({ symbol: "READ", broker: "ICMarkets" })).tick?.timeMsc ?? 0), { timeout: 5000 }).toBe(T0 + 30_000);
    }
    expect(await settledTicks(db.url, stored, "reads across replicas")).toEqual({ rows: stored, batches: 23 });
  });

  it("a batch larger than one log record (cut into parts) is stored whole, once, and served by the other replica", async () => {
    const n = 40_000;
    const big = rowsBatch("big-batch", series(n, { symbol: "BIG" }, T0 + 35_000));
    expect(await ingestOne(a.url, big)).toBe(AckState.DURABLE);
    expect(await ingestOne(b.url, big)).toSatisfy((s: AckState) => ACKED.has(s));
    stored += n;
    expect(await settledTicks(db.url, stored, "a 40,000-tick batch sent to both replicas")).toEqual({ rows: stored, batches: 26 });
    const onB = connect(TickService, { baseUrl: b.url });
    expect((await onB.getRecentTicks({ symbol: "BIG", limit: 5 })).ticks.map((t) => Number(t.timeMsc))).toEqual([0, 1, 2, 3, 4].map((i) => T0 + 35_000 - i));
  });

  it("the latest tick is the newest by tick time, whichever replica wrote last", async () => {
    expect(await ingestOne(a.url, rowsBatch("late-new", [tick({ symbol: "ORDER", timeMsc: BigInt(T0 + 45_000) })]))).toBe(AckState.DURABLE);
    expect(await ingestOne(b.url, rowsBatch("late-old", [tick({ symbol: "ORDER", timeMsc: BigInt(T0 + 40_000) })]))).toBe(AckState.DURABLE);
    stored += 2;
    expect(await settledTicks(db.url, stored, "out-of-order batches")).toEqual({ rows: stored, batches: 28 });
    for (const replica of [a, b]) {
      const cache = connect(CacheService, { baseUrl: replica.url });
      expect(Number((await cache.getLatestTick({ symbol: "ORDER", broker: "ICMarkets" })).tick?.timeMsc)).toBe(T0 + 45_000);
    }
  });

  it("live bars on B from ticks ingested through A: the closed bar equals GetCandles from ClickHouse", async () => {
    const HOUR = 3_600_000;
    const P = Math.floor(Date.now() / HOUR) * HOUR + 3 * HOUR;
    const abort = new AbortController();
    const onB = connect(TickService, { baseUrl: b.url });
    const closed: Candle[] = [];
    let warm = false;
    const reading = (async () => {
      try {
        for await (const m of onB.subscribeCandles({ symbols: ["BARS", "BARSWARM"], timeframe: Timeframe.H1, updateIntervalMs: 10 }, { signal: abort.signal })) {
          warm = true;
          if (m.closed && m.symbol === "BARS") {
            closed.push(m.candle!);
            break;
          }
        }
      } catch {
        // aborted
      }
    })();
    await warmUp(a.url, () => warm, (i) => rowsBatch(`bars-warm-${i}`, [tick({ symbol: "BARSWARM", timeMsc: BigInt(P + i) })]));
    for (let i = 0; i < 5; i++) {
      expect(await ingestOne(a.url, rowsBatch(`bars-${i}`, [tick({ symbol: "BARS", timeMsc: BigInt(P + 1000 * (5 - i)), bid: 1 + i / 100, ask: 2, volume: i + 1 })]))).toBe(AckState.DURABLE);
    }
    expect(await ingestOne(a.url, rowsBatch("bars-next", [tick({ symbol: "BARS", timeMsc: BigInt(P + HOUR) })]))).toBe(AckState.DURABLE);
    await Promise.race([reading, new Promise((r) => setTimeout(r, 5000))]);
    abort.abort();
    expect(closed).toHaveLength(1);
    const fromClickHouse = async () =>
      (await onB.getCandles({ symbol: "BARS", timeframe: Timeframe.H1, startTimeMsc: BigInt(P), endTimeMsc: BigInt(P + HOUR) })).candles[0];
    await expect.poll(async () => (await fromClickHouse())?.tickCount, { timeout: 10_000 }).toBe(5n);
    expect(closed[0]).toEqual(await fromClickHouse());
  });

  it("live indicators on B, seeded from history and fed by ticks ingested through A, equal GetIndicators from ClickHouse", async () => {
    const MINUTE = 60_000;
    const specs = [
      { type: IndicatorType.SMA, period: 3 },
      { type: IndicatorType.EMA, period: 4 },
      { type: IndicatorType.RSI, period: 5 },
      { type: IndicatorType.VWAP, period: 2 },
    ];
    const start = Math.floor(Date.now() / MINUTE) * MINUTE - 40 * MINUTE;
    const P = Math.floor(Date.now() / MINUTE) * MINUTE + 3 * 60 * MINUTE;
    const priced = (k: number, offset: number) => {
      const bid = 1.1 + 0.01 * Math.sin(k / 2 + offset / 10_000);
      return { symbol: "IND", bid, ask: bid + 0.0002, volume: (k % 3) + 1 };
    };
    const historyTicks = Array.from({ length: 30 }, (_, k) => [1_000, 30_000].map((o) => tick({ ...priced(k, o), timeMsc: BigInt(start + k * MINUTE + o) }))).flat();
    expect(await ingestOne(a.url, rowsBatch("ind-history", historyTicks))).toBe(AckState.DURABLE);
    const onB = connect(TickService, { baseUrl: b.url });
    const fromClickHouse = async (open: bigint) =>
      (await onB.getIndicators({ symbol: "IND", timeframe: Timeframe.M1, startTimeMsc: BigInt(start), endTimeMsc: open + BigInt(MINUTE), indicators: specs })).series.map((x) => x.points.at(-1));
    // One batch, one INSERT: once its last bar is in ClickHouse, all of it is.
    await expect.poll(async () => (await fromClickHouse(BigInt(start + 29 * MINUTE)))[0]?.timeMsc, { timeout: 15_000 }).toBe(BigInt(start + 29 * MINUTE));

    const abort = new AbortController();
    const got: { timeMsc: bigint; values: (number | undefined)[] }[] = [];
    let subscribed = false;
    const reading = (async () => {
      try {
        for await (const m of onB.subscribeIndicators({ symbols: ["IND"], timeframe: Timeframe.M1, indicators: specs, startTimeMsc: BigInt(start) }, { signal: abort.signal })) {
          subscribed = true;
          got.push({ timeMsc: m.timeMsc, values: m.values.map((v) => v.value) });
          if (got.length === 4) break;
        }
      } catch {
        // aborted
      }
    })();
    await expect.poll(() => subscribed, { timeout: 5_000 }).toBe(true);
    for (let k = 0; k < 4; k++) {
      const batch = [5_000, 2_000].map((o) => tick({ ...priced(40 + k, o), timeMsc: BigInt(P + k * MINUTE + o) }));
      expect(await ingestOne(a.url, rowsBatch(`ind-live-${k}`, batch))).toBe(AckState.DURABLE);
    }
    await Promise.race([reading, new Promise((r) => setTimeout(r, 10_000))]);
    abort.abort();
    expect(got.map((m) => Number(m.timeMsc))).toEqual([start + 29 * MINUTE, P, P + MINUTE, P + 2 * MINUTE]);
    for (const m of got) {
      await expect.poll(async () => (await fromClickHouse(m.timeMsc)).map((p) => p?.timeMsc), { timeout: 15_000 }).toEqual(specs.map(() => m.timeMsc));
      const batch = await fromClickHouse(m.timeMsc);
      for (const [i, v] of m.values.entries()) expect(Math.abs(v! - batch[i]!.value)).toBeLessThanOrEqual(1e-9);
    }
  });

  it("candles of ended days come from the cache on either replica; a late tick written through A is in B's next read", async () => {
    const DAY = 86_400_000;
    // Two days back: yesterday's chunk is not cached in the first minute after midnight.
    const pastDay = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
    const rows = Array.from({ length: 100 }, (_, i) => tick({ symbol: "CACHED", timeMsc: BigInt(pastDay + i * 600_000 + 1_000), bid: 1.1 + i / 10_000, ask: 1.2 }));
    expect(await ingestOne(a.url, rowsBatch("cached-day", rows))).toBe(AckState.DURABLE);
    const [onA, onB] = [a, b].map((r) => connect(TickService, { baseUrl: r.url }));
    const day = { symbol: "CACHED", timeframe: Timeframe.M1, startTimeMsc: BigInt(pastDay), endTimeMsc: BigInt(pastDay + DAY) };
    const ticksIn = (candles: Candle[]) => candles.reduce((n, c) => n + Number(c.tickCount), 0);
    await expect.poll(async () => ticksIn((await onB!.getCandles(day)).candles), { timeout: 15_000 }).toBe(100);
    const hits = async (url: string) => Number(/^neliti_candle_cache_chunks_total\{result="hit"\} (\d+)/m.exec((await httpGet(url, "/metrics")).body)?.[1] ?? 0);
    // The writer bumps the cache epoch just after its INSERT, so a read between the two caches a
    // chunk the bump then retires: B's reads become hits once a read after the bump has cached it.
    const hitOnB = async () => {
      const before = await hits(b.url);
      await onB!.getCandles(day);
      return (await hits(b.url)) > before;
    };
    await expect.poll(hitOnB, { timeout: 15_000 }).toBe(true);
    const cached = (await onB!.getCandles(day)).candles;
    expect(ticksIn(cached)).toBe(100);
    expect((await onA!.getCandles(day)).candles).toEqual(cached);

    const lateAt = pastDay + 5 * 60_000 + 30_000;
    expect(await ingestOne(a.url, rowsBatch("cached-late", [tick({ symbol: "CACHED", broker: "Late", timeMsc: BigInt(lateAt), bid: 9, ask: 9.1 })]))).toBe(AckState.DURABLE);
    // B's cached chunk lives 6 h; only the epoch bump after A's writer stored the tick can end it.
    await expect.poll(async () => ticksIn((await onB!.getCandles(day)).candles), { timeout: 15_000 }).toBe(101);
    const after = (await onB!.getCandles(day)).candles;
    expect(after.find((c) => Number(c.openTimeMsc) === pastDay + 5 * 60_000)?.high).toBe(9);
    expect((await onA!.getCandles(day)).candles).toEqual(after);
  });

  it("a subscriber on B receives the ticks ingested through A", async () => {
    const abort = new AbortController();
    const onB = connect(TickService, { baseUrl: b.url });
    const live: number[] = [];
    let warmed = false;
    const reading = (async () => {
      try {
        for await (const m of onB.subscribeTicks({ symbols: ["LIVE", "WARM"] }, { signal: abort.signal })) {
          warmed = true;
          live.push(...m.ticks.filter((t) => t.symbol === "LIVE").map((t) => Number(t.timeMsc)));
          if (live.length >= 50) break;
        }
      } catch {
        // aborted
      }
    })();
    await warmUp(a.url, () => warmed, (i) => rowsBatch(`warm-${i}`, [tick({ symbol: "WARM", timeMsc: BigInt(T0 + 49_000 + i) })]));
    expect(await ingestOne(a.url, rowsBatch("live-a", series(50, { symbol: "LIVE" }, T0 + 50_000)))).toBe(AckState.DURABLE);
    const done = await Promise.race([reading.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
    abort.abort();
    expect(done).toBe(true);
    expect(live).toEqual(Array.from({ length: 50 }, (_, i) => T0 + 50_000 - 49 + i));
  });

  it("three replicas started at the same moment on a fresh database and a log topic none has created all start, migrate once and agree", async () => {
    const fresh = await createTempClickHouseDatabase(chUrl);
    const env = replicaEnv(fresh.url);
    const three = await startReplicas(3, env).catch(async (err: unknown) => {
      await fresh.drop();
      throw err;
    });
    try {
      expect(three).toHaveLength(3);
      // Each migration applied by one of them: the others waited for the migration lock and found it done.
      const ch = createClient({ url: fresh.url });
      const events = await (await ch.query({ query: "SELECT version, applied FROM schema_migrations ORDER BY at_ms", format: "JSONEachRow" })).json();
      await ch.close();
      const files = await readMigrationFiles(join(MIGRATIONS_ROOT, "clickhouse"));
      expect(events).toEqual(files.map((f) => ({ version: f.version, applied: 1 })));
      expect(await ingestOne(three[0]!.url, rowsBatch("three-0", series(5, { symbol: "THREE" }, T0 + 60_000)))).toBe(AckState.DURABLE);
      for (const r of three) {
        const client = connect(TickService, { baseUrl: r.url });
        await expect.poll(async () => (await client.getRecentTicks({ symbol: "THREE", limit: 5 })).ticks.length, { timeout: 5000 }).toBe(5);
      }
    } finally {
      await Promise.all(three.map((r) => r.stop()));
      await fresh.drop();
    }
    // Three processes starting at once on two shared cores, the broker creating the topic for them.
  }, 60_000);
});
