import { fromBinary, toBinary, type JsonObject } from "@bufbuild/protobuf";
import { type Tick, TickSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { ResourceExhaustedError } from "../errors.js";
import { seriesOf } from "../tick-block/tick-block.js";
import { tickAt } from "../tick-block/proto-codec.js";
import type { TickBlock } from "../ports/tick-block.js";
import { type Logger, throttledWarning } from "../observability/logger.js";
import { type CacheStore, type SetCondition, unversioned } from "../ports/cache-store.js";
import type { DurableTickListener } from "./tick-fan-out.js";

/** The platform's key patterns, shared with the other services that read this cache. */
export const cacheKeys = {
  latestTick: (symbol: string, broker: string) => `tick:${symbol}:${broker}`,
  indicator: (symbol: string, timeframe: string, name: string) => `indicator:${symbol}:${timeframe}:${name}`,
  /** Closed bars of one chunk (CandleCachingTickStore); broker `*` for every broker's ticks. */
  bars: (symbol: string, timeframeMs: number, broker: string | undefined, price: string, chunkStartMsc: number, epoch: number) =>
    `bars:${symbol}:${timeframeLabel(timeframeMs)}:${broker ?? "*"}:${price}:${chunkStartMsc}:${epoch}`,
  barsEpoch: (symbol: string) => `bars-epoch:${symbol}`,
  /** How far a backfill of one series' patterns got (Backfill). */
  backfill: (recipe: string, symbol: string, timeframeMs: number, broker: string | undefined, price: string) =>
    `backfill:${recipe}:${symbol}:${timeframeLabel(timeframeMs)}:${broker ?? "*"}:${price}`,
  prediction: (model: string, symbol: string) => `prediction:${model}:${symbol}`,
  session: (userId: string, sessionId: string) => `session:${userId}:${sessionId}`,
  apiKey: (prefix: string) => `apikey:${prefix}`,
};

/** M1, M15, H4, D1...: a bar width as traders write it. */
function timeframeLabel(ms: number): string {
  if (ms % 86_400_000 === 0) return `D${ms / 86_400_000}`;
  if (ms % 3_600_000 === 0) return `H${ms / 3_600_000}`;
  return `M${ms / 60_000}`;
}

export const LATEST_TICK_TTL_MS = 30_000;
export const INDICATOR_TTL_MS = 60_000;
export const PREDICTION_TTL_MS = 300_000;

type IndicatorValue = { v: number; t: number };

/** Cache rules over any CacheStore: value size bound, typed encodings for the key patterns. */
export class CacheDomain {
  constructor(
    readonly store: CacheStore,
    private readonly maxValueBytes: number,
  ) {}

  private checkSize(value: Uint8Array, field: string): void {
    if (value.length > this.maxValueBytes) {
      throw new ResourceExhaustedError(`${field} is ${value.length} bytes; the maximum is ${this.maxValueBytes}`);
    }
  }

  get(key: string) {
    return this.store.get(key);
  }

  set(key: string, value: Uint8Array, ttlMs: number, condition: SetCondition): Promise<boolean> {
    this.checkSize(value, "value");
    return this.store.set(key, value, ttlMs, condition);
  }

  mget(keys: readonly string[]) {
    return this.store.mget(keys);
  }

  async mset(entries: readonly { key: string; value: Uint8Array }[], ttlMs: number): Promise<void> {
    entries.forEach((e, i) => this.checkSize(e.value, `entries[${i}].value`));
    await this.store.mset(entries, ttlMs);
  }

  del(keys: readonly string[]) {
    return this.store.del(keys);
  }

  ttl(key: string) {
    return this.store.ttl(key);
  }

  expire(key: string, ttlMs: number) {
    return this.store.expire(key, ttlMs);
  }

  incr(key: string, delta: bigint) {
    return this.store.incr(key, delta);
  }

  async getLatestTick(symbol: string, broker: string): Promise<Tick | undefined> {
    const stored = await this.store.get(cacheKeys.latestTick(symbol, broker));
    const tick = stored && unversioned(stored);
    return tick ? fromBinary(TickSchema, tick.value) : undefined;
  }

  /** The newest tick by tick time wins, whatever order batches (or replicas) write them in. */
  async setLatestTicks(ticks: readonly Tick[]): Promise<void> {
    await this.store.setIfNewer(
      ticks.map((t) => ({ key: cacheKeys.latestTick(t.symbol, t.broker), value: toBinary(TickSchema, t), version: Number(t.timeMsc) })),
      LATEST_TICK_TTL_MS,
    );
  }

  async setIndicator(symbol: string, timeframe: string, name: string, value: number, timeMsc: number, ttlMs: number): Promise<void> {
    const payload: IndicatorValue = { v: value, t: timeMsc };
    await this.store.set(cacheKeys.indicator(symbol, timeframe, name), encodeJson(payload), ttlMs || INDICATOR_TTL_MS, "always");
  }

  async getIndicator(symbol: string, timeframe: string, name: string): Promise<{ value: number; timeMsc: number } | undefined> {
    const bytes = await this.store.get(cacheKeys.indicator(symbol, timeframe, name));
    if (!bytes) return undefined;
    const p = decodeJson(bytes) as IndicatorValue;
    return { value: p.v, timeMsc: p.t };
  }

  async setPrediction(model: string, symbol: string, prediction: JsonObject, ttlMs: number): Promise<void> {
    const value = encodeJson(prediction);
    this.checkSize(value, "prediction");
    await this.store.set(cacheKeys.prediction(model, symbol), value, ttlMs || PREDICTION_TTL_MS, "always");
  }

  async getPrediction(model: string, symbol: string): Promise<JsonObject | undefined> {
    const bytes = await this.store.get(cacheKeys.prediction(model, symbol));
    return bytes ? (decodeJson(bytes) as JsonObject) : undefined;
  }
}

const encodeJson = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const decodeJson = (b: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(b));

/**
 * Keeps `tick:{symbol}:{broker}` at the newest durable tick of each series. Runs after the batch
 * is acknowledged-durable and never fails ingest: a cache outage only costs freshness.
 */
export class LatestTickCacher implements DurableTickListener {
  private readonly warn: (err: unknown) => void;

  constructor(
    private readonly cache: CacheDomain,
    log: Logger,
  ) {
    this.warn = throttledWarning(log, "latest-tick cache update failed");
  }

  onDurable(block: TickBlock): void {
    // Index of the newest tick per series (no per-tick key strings on this hot path).
    const { keys, ofTick } = seriesOf(block);
    const newest = new Int32Array(keys.length).fill(-1);
    for (let i = 0; i < block.length; i++) {
      const j = newest[ofTick[i]!]!;
      if (j < 0 || block.timeMsc[i]! >= block.timeMsc[j]!) newest[ofTick[i]!] = i;
    }
    const ticks = Array.from(newest, (i) => tickAt(block, i));
    this.cache.setLatestTicks(ticks).catch(this.warn);
  }
}
