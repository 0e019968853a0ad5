import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { IndicatorType, TickService, Timeframe } from "../gen/neliti/dataplane/v1/tick_pb.js";
import { createTempClickHouseDatabase, openClickHouseTickStore } from "../test/harness/clickhouse.js";
import { startServerProcess } from "../test/harness/server-process.js";
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
 * The client is the bench's Node process (connect-node), calls one at a time.
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
    const measure = async (url: string) => {
      const client = createClient(TickService, createGrpcTransport({ baseUrl: url }));
      const first = await client.getIndicators(request);
      const points = first.series[0]!.points.length;
      const result = await drive(calls, 1, () => client.getIndicators(request));
      return { points, ...result };
    };
    const without = await measure(uncached.url);
    const withCache = await measure(cached.url);
    console.log(`indicators bench: GetIndicators (4 indicators) over ${days} days of M1 bars, ${ticks} ticks in ClickHouse; ${calls} calls one at a time; ${machine()}`);
    console.log(`uncached (baseline, ClickHouse builds the bars): p50 ${without.latencyMs.p50} ms, p99 ${without.latencyMs.p99} ms, ${without.points} SMA points`);
    console.log(`cached (ended days from Redis, today from ClickHouse): p50 ${withCache.latencyMs.p50} ms, p99 ${withCache.latencyMs.p99} ms, ${withCache.points} SMA points`);
    console.log(`ratio cached/uncached p50 ${round(withCache.latencyMs.p50 / without.latencyMs.p50)}, p99 ${round(withCache.latencyMs.p99 / without.latencyMs.p99)}`);
    if (withCache.points !== without.points) throw new Error(`the cached replica answered ${withCache.points} points, the uncached ${without.points}`);
    return { bench: "indicators", machine: machine(), date: new Date().toISOString(), days, ticks, calls, uncachedMs: without.latencyMs, cachedMs: withCache.latencyMs };
  } finally {
    await Promise.all([cached.stop("SIGTERM"), uncached.stop("SIGTERM")]);
    await db.drop();
  }
}
