import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedCacheStore } from "../../src/backends/embedded/cache-store.js";
import { EmbeddedTickStore } from "../../src/backends/embedded/tick-store.js";
import { RedisCacheStore } from "../../src/backends/redis/cache-store.js";
import { CandleCachingTickStore } from "../../src/domain/candle-cache.js";
import { blockFromRows } from "../../src/tick-block/tick-block.js";
import type { CacheStore } from "../../src/ports/cache-store.js";
import type { CandleQuery, TickRow } from "../../src/ports/tick-store.js";
import { backendUrl, describeWithBackend, uniqueSuffix } from "../harness/backends.js";

const MINUTE = 60_000;
const DAY = 86_400_000;
/**
 * The store's clock is fixed: which chunks have ended, and so which bars come from the cache, depends
 * on the time of day and on where the day falls among chunk boundaries (M5 chunks are 5 days).
 * 2026-12-03 is such a boundary (day 20,790), so the M5 chunk before it has just ended.
 */
const TODAY = Date.UTC(2026, 11, 3);
const NOW = TODAY + 12 * 3_600_000;

const row = (symbol: string, broker: string, timeMsc: number, bid: number): TickRow => ({ symbol, broker, accountType: 1, timeMsc, bid, ask: bid + 0.0002, last: 0, volume: 1, flags: 6 });

/** Ticks every 7 minutes over the last three days and today so far, from two brokers. */
function history(symbol: string): TickRow[] {
  const rows: TickRow[] = [];
  for (let t = TODAY - 3 * DAY + 13_000; t < NOW - MINUTE; t += 7 * MINUTE) {
    rows.push(row(symbol, "Alpha", t, 1.1 + 0.01 * Math.sin(t / 3_600_000)), row(symbol, "Beta", t + 500, 1.1 + 0.01 * Math.cos(t / 3_600_000)));
  }
  return rows;
}

/** Values handed back as Buffers at an odd offset of a larger one, as a client's reply parser may. */
class OddOffsetCache extends EmbeddedCacheStore {
  override async mget(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    return (await super.mget(keys)).map((v) => v && Buffer.concat([Buffer.from([0]), v]).subarray(1));
  }
}

const caches: [string, () => Promise<CacheStore & { close?(): Promise<void> }>][] = [
  ["embedded cache", async () => new EmbeddedCacheStore(100_000)],
  ["embedded cache, values at odd offsets of Buffers", async () => new OddOffsetCache(100_000)],
];
const redis = backendUrl("redis");
if (redis) caches.push(["Redis", () => RedisCacheStore.open({ url: redis, connections: 2, namespace: `test:${uniqueSuffix()}:`, timeoutMs: 1000 })]);

describe.each(caches)("closed bars cached by chunk (%s over the embedded tick store)", (_, openCache) => {
  let inner: EmbeddedTickStore;
  let cache: CacheStore & { close?(): Promise<void> };
  let store: CandleCachingTickStore;
  const seen = { hit: 0, miss: 0, invalidated: 0, sources: [] as string[] };

  beforeAll(async () => {
    inner = await EmbeddedTickStore.open(undefined);
    cache = await openCache();
    store = new CandleCachingTickStore(inner, cache, { ttlMs: 60_000, now: () => NOW }, {
      chunks: (hit, miss) => {
        seen.hit += hit;
        seen.miss += miss;
      },
      read: (source) => seen.sources.push(source),
      invalidated: (n) => (seen.invalidated += n),
    });
    expect(await store.insert("history", blockFromRows(history("CC")))).toBe("stored");
  });
  afterAll(async () => {
    store.close();
    await cache.close?.();
  });

  /** Each query, and how many chunks its second read takes from the cache. */
  const queries: [string, CandleQuery, number][] = [
    ["M1, every broker, three days to now", { symbol: "CC", broker: undefined, timeframeMs: MINUTE, startMsc: TODAY - 3 * DAY, endMsc: NOW, price: "bid", limit: 100_000 }, 3],
    ["M1, one broker, mid price, edges cutting bars (its first whole bar is the last of the day before)", { symbol: "CC", broker: "Beta", timeframeMs: MINUTE, startMsc: TODAY - 2 * DAY - 90_500, endMsc: TODAY - DAY + 30_000, price: "mid", limit: 100_000 }, 2],
    ["M5, the newest 100 bars of a long range", { symbol: "CC", broker: undefined, timeframeMs: 5 * MINUTE, startMsc: TODAY - 3 * DAY, endMsc: TODAY, price: "ask", limit: 100 }, 1],
    ["M5, the newest 100 bars to now: today's bars (no chunk ended yet) are enough", { symbol: "CC", broker: undefined, timeframeMs: 5 * MINUTE, startMsc: TODAY - 3 * DAY, endMsc: NOW, price: "ask", limit: 100 }, 0],
    ["M1 over two years, a sparse series: the scan stops at a year and the store answers for the rest", { symbol: "CC", broker: undefined, timeframeMs: MINUTE, startMsc: TODAY - 730 * DAY, endMsc: TODAY, price: "bid", limit: 1_000_000 }, 366],
    ["H1 (chunks of 60 days, one not ended)", { symbol: "CC", broker: "Alpha", timeframeMs: 60 * MINUTE, startMsc: 0, endMsc: NOW, price: "bid", limit: 10_000 }, Math.floor(TODAY / (60 * DAY))],
  ];

  it.each(queries)("%s: the same bars as the store, the second time from the cache", async (_, query, cachedChunks) => {
    const expected = await inner.candles(query);
    expect(expected.length).toBeGreaterThan(0);
    expect(await store.candles(query)).toEqual(expected);
    const { hit, miss } = seen;
    expect(await store.candles(query)).toEqual(expected);
    expect({ hit: seen.hit - hit, miss: seen.miss - miss }).toEqual({ hit: cachedChunks, miss: 0 });
  });

  it("a late tick, into a day already cached, is in the next read: its write makes the cached chunks stale", async () => {
    const query: CandleQuery = { symbol: "CC", broker: undefined, timeframeMs: MINUTE, startMsc: TODAY - 2 * DAY, endMsc: TODAY - DAY, price: "bid", limit: 100_000 };
    await store.candles(query);
    const before = await store.candles(query);
    const at = TODAY - 2 * DAY + 10 * MINUTE + 1;
    const invalidated = seen.invalidated;
    expect(await store.insert("late", blockFromRows([row("CC", "Gamma", at, 2.5)]))).toBe("stored");
    expect(seen.invalidated).toBe(invalidated + 1);
    const after = await store.candles(query);
    expect(after).toEqual(await inner.candles(query));
    expect(after.find((b) => b.openTimeMsc === TODAY - 2 * DAY + 10 * MINUTE)?.high).toBe(2.5);
    expect(after).not.toEqual(before);
  });

  it("today's ticks leave cached days alone: no invalidation", async () => {
    const invalidated = seen.invalidated;
    expect(await store.insert("today", blockFromRows([row("CC", "Alpha", NOW - 1000, 1.2)]))).toBe("stored");
    expect(seen.invalidated).toBe(invalidated);
  });
});

describeWithBackend("redis", "closed bars with the cache down (Redis, client closed)", (url) => {
  it("reads are the store's and ingest goes on; a late tick whose bump cannot go through stops caching here", async () => {
    const inner = await EmbeddedTickStore.open(undefined);
    await inner.insert("history", blockFromRows(history("CD")));
    const query: CandleQuery = { symbol: "CD", broker: undefined, timeframeMs: MINUTE, startMsc: TODAY - 3 * DAY, endMsc: NOW, price: "bid", limit: 100_000 };
    const down = await RedisCacheStore.open({ url, connections: 1, namespace: `test:${uniqueSuffix()}:`, timeoutMs: 1000 });
    await down.close();
    const sources: string[] = [];
    const store = new CandleCachingTickStore(inner, down, { ttlMs: 60_000, retryMs: 60_000, now: () => NOW }, { chunks: () => undefined, read: (s) => sources.push(s), invalidated: () => undefined });
    expect(await store.candles(query)).toEqual(await inner.candles(query));
    expect(await store.insert("late", blockFromRows([row("CD", "Delta", TODAY - DAY - 5 * MINUTE, 1.3)]))).toBe("stored");
    expect(await store.candles(query)).toEqual(await inner.candles(query));
    expect(sources).toEqual(["mixed", "store"]);
    store.close();
  });
});
