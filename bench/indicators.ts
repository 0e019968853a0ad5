import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { IndicatorType, TickService, Timeframe } from "../gen/neliti/dataplane/v1/tick_pb.js";
import { createTempClickHouseDatabase, openClickHouseTickStore } from "../test/harness/clickhouse.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { httpGet } from "../test/harness/tools.js";
import { arg, drive, machine, oneSeriesBlock, requireEnv, round, seededRandom } from "./lib.js";

const SYMBOL = "EURUSD";
const DAY = 86_400_000;

/** `perMinute` ticks a minute of one symbol over `days` days to now, stored through the adapter's insert path. */
async function fill(dbUrl: string, days: number, perMinute: number): Promise<number> {
  const { store } = await openClickHouseTickStore(dbUrl);
  const random = seededRandom(7);
  const end = Date.now();
  const step = 60_000 / perMinute;
  let price = 1.1;
  let stored = 0;
  for (let dayStart = end - days * DAY; dayStart < end; dayStart += DAY) {
    const n = Math.floor(Math.min(DAY, end - dayStart) / step);
    const bid = new Float64Array(n);
    for (let i = 0; i < n; i++) bid[i] = price += (random() - 0.5) * 1e-4;
    const times = Float64Array.from({ length: n }, (_, i) => Math.floor(dayStart + i * step));
    const block = oneSeriesBlock(SYMBOL, times, bid, Float64Array.from({ length: n }, () => Math.floor(random() * 5)));
    await store.insert(`indicators-${dayStart}`, block);
    stored += n;
  }
  await store.close();
  return stored;
}

/**
 * GetIndicators (SMA 20, EMA 50, RSI 14, VWAP 20) over the last 30 days of M1 bars on ClickHouse:
 * a replica with the candle cache (Redis) against one without it, on the same database, in the
 * same run. The uncached replica is the baseline: ClickHouse builds the 43,200 bars from the ticks
 * on every call. The cached one reads ended days' bars from Redis and asks ClickHouse for today's.
 * Each both ways: points (a message per value) and columnar (two arrays a series). The client is
 * the bench's Node process (connect-node), calls one at a time.
 */
export async function run() {
  const clickhouse = requireEnv("CLICKHOUSE_URL");
  const redis = requireEnv("REDIS_URL");
  const days = arg("days", 30);
  const perMinute = arg("ticks-per-minute", 20);
  const calls = arg("calls", 200);
  const db = await createTempClickHouseDatabase(clickhouse);
  const ticks = await fill(db.url, days, perMinute);
  const env = { CLICKHOUSE_URL: db.url, REDIS_URL: redis, CACHE_NAMESPACE: `bench-${Date.now()}:`, AUTH_JWT_SECRET: "b".repeat(32), AUTH_ENABLED: "false" };
  const [cached, uncached] = await Promise.all([startServerProcess(env), startServerProcess({ ...env, CANDLE_CACHE_TTL_MS: "0" })]);
  try {
    const request = {
      symbol: SYMBOL,
      timeframe: Timeframe.M1,
      startTimeMsc: BigInt(Date.now() - days * DAY),
      endTimeMsc: BigInt(Date.now() + 60_000),
      indicators: [
        { type: IndicatorType.SMA, period: 20 },
        { type: IndicatorType.EMA, period: 50 },
        { type: IndicatorType.RSI, period: 14 },
        { type: IndicatorType.VWAP, period: 20 },
      ],
    };
    const measure = async (url: string, columnar: boolean) => {
      const client = createClient(TickService, createGrpcTransport({ baseUrl: url }));
      const first = await client.getIndicators({ ...request, columnar });
      const s0 = first.series[0]!;
      const points = columnar ? s0.valueColumn.length / 8 : s0.points.length;
      const result = await drive(calls, 1, () => client.getIndicators({ ...request, columnar }));
      return { points, ...result };
    };
    const runs = {
      uncachedPoints: await measure(uncached.url, false),
      cachedPoints: await measure(cached.url, false),
      uncachedColumnar: await measure(uncached.url, true),
      cachedColumnar: await measure(cached.url, true),
    };
    // Where the cached replica's time goes: reading the bars (its own histogram) against the whole call.
    const metrics = (await httpGet(cached.url, "/metrics")).body;
    const metric = (name: string) => Number(new RegExp(`^${name}\\{source="cache"\\} (\\S+)`, "m").exec(metrics)?.[1] ?? Number.NaN);
    const barsReadMs = round((metric("neliti_candle_read_seconds_sum") / metric("neliti_candle_read_seconds_count")) * 1000);
    console.log(`indicators bench: GetIndicators (4 indicators) over ${days} days of M1 bars, ${ticks} ticks in ClickHouse; ${calls} calls one at a time; ${machine()}`);
    const line = (what: string, r: (typeof runs)["cachedPoints"]) => console.log(`${what.padEnd(60)} p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ${r.points} values a series`);
    line("uncached, points (baseline: ClickHouse builds the bars)", runs.uncachedPoints);
    line("cached (ended days from Redis, today from ClickHouse), points", runs.cachedPoints);
    line("uncached, columnar", runs.uncachedColumnar);
    line("cached, columnar", runs.cachedColumnar);
    console.log(`cached replica, reading the bars (cache + today's from ClickHouse), server side: mean ${barsReadMs} ms a call`);
    const ratio = (a: (typeof runs)["cachedPoints"], b: (typeof runs)["cachedPoints"]) => `p50 ${round(a.latencyMs.p50 / b.latencyMs.p50)}, p99 ${round(a.latencyMs.p99 / b.latencyMs.p99)}`;
    console.log(`ratio cached/uncached, points: ${ratio(runs.cachedPoints, runs.uncachedPoints)}; cached columnar/uncached points: ${ratio(runs.cachedColumnar, runs.uncachedPoints)}`);
    const counts = new Set(Object.values(runs).map((r) => r.points));
    if (counts.size !== 1) throw new Error(`the runs answered different numbers of values: ${[...counts].join(", ")}`);
    return {
      bench: "indicators",
      machine: machine(),
      date: new Date().toISOString(),
      days,
      ticks,
      calls,
      ...Object.fromEntries(Object.entries(runs).map(([k, r]) => [`${k}Ms`, r.latencyMs])),
      cachedBarsReadMeanMs: barsReadMs,
    };
  } finally {
    await Promise.all([cached.stop("SIGTERM"), uncached.stop("SIGTERM")]);
    await db.drop();
  }
}
