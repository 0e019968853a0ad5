import type { CacheStore } from "../ports/cache-store.js";
import type { TickBlock } from "../ports/tick-block.js";
import { type CandleQuery, type CandleRow, type InsertOptions, type InsertOutcome, type TickStore, TickStoreDecorator } from "../ports/tick-store.js";
import { cacheKeys } from "./cache.js";

/** Bars in one cached chunk: a whole number of UTC days for every timeframe from M1 to D1. */
export const CHUNK_BARS = 1440;
const DAY_MS = 86_400_000;
/** A chunk is cached once it ended this long ago, so clocks of replicas may differ by as much. */
const CLOSED_MARGIN_MS = 60_000;
/** Most chunks one read looks at (a year of M1 bars; 1,000 years of D1). */
const MAX_SCANNED_CHUNKS = 366;
/** Numbers per bar in a chunk's bytes: open time, open, high, low, close, volume, tick count. */
const FIELDS = 7;

export type CandleCacheObserver = {
  /** Chunks read from the cache, and chunks the store had to build. */
  chunks(hit: number, miss: number): void;
  /** A candles read, by where its bars came from, and how long it took. */
  read(source: "cache" | "mixed" | "store", seconds: number): void;
  /** Symbols whose cached bars a late tick made stale. */
  invalidated(symbols: number): void;
};

export type CandleCacheOptions = { ttlMs: number; now?: () => number; retryMs?: number };

/**
 * Closed bars served from the cache backend: the tick store wrapped so that GetCandles,
 * GetIndicators and everything else reading bars get them from there, the store answering only
 * for what is not cached yet and for bars of chunks not yet ended.
 *
 * Bars are cached by chunk (CHUNK_BARS bars of one series, one timeframe and price) under
 * `bars:{symbol}:{timeframe}:{broker or *}:{price}:{chunk start}:{epoch}`, once the chunk has
 * ended. Late ticks invalidate, by epoch: a write that lands a tick in a UTC day that has ended
 * (every ended chunk lies in such days) bumps `bars-epoch:{symbol}` after the rows are in the
 * store, and readers build keys with the epoch they read first. A reader that read the old
 * epoch may still write its chunks, under the old epoch, where nobody reads them again; one that
 * read the new epoch read the store after the tick landed. Until a bump goes through (cache
 * down), this process caches nothing; while a batch is spooled (store down), nothing is written
 * to the cache either, and the spooled symbols are bumped again once the spool has drained.
 */
export class CandleCachingTickStore extends TickStoreDecorator {
  private readonly now: () => number;
  private readonly retryMs: number;
  /** The epoch each symbol had when last read here: usually still current, saving a round trip. */
  private readonly epochs = new Map<string, number>();
  /** Symbols whose bump has not gone through yet. */
  private readonly unbumped = new Set<string>();
  /** Symbols with late ticks in the spool (rows not in the store yet). */
  private readonly spooled = new Set<string>();
  private spooling = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    inner: TickStore,
    private readonly cache: CacheStore,
    private readonly options: CandleCacheOptions,
    private readonly observer: CandleCacheObserver,
  ) {
    super(inner);
    this.now = options.now ?? Date.now;
    this.retryMs = options.retryMs ?? 1000;
  }

  override async insert(batchId: string, block: TickBlock, signal?: AbortSignal, options?: InsertOptions): Promise<InsertOutcome> {
    const outcome = await this.inner.insert(batchId, block, signal, options);
    const late = lateSymbols(block, Math.floor(this.now() / DAY_MS) * DAY_MS);
    if (outcome === "spooled") {
      this.spooling = true;
      for (const s of late) this.spooled.add(s);
    } else if (outcome === "stored" && this.spooling) {
      // A batch stored directly means the spool before it has drained into the store.
      this.spooling = false;
      for (const s of this.spooled) late.add(s);
      this.spooled.clear();
    }
    // A duplicate may be the retry of an attempt that stored the rows and never bumped.
    if (late.size > 0) await this.bump(late);
    return outcome;
  }

  private async bump(symbols: Iterable<string>): Promise<void> {
    for (const s of symbols) this.unbumped.add(s);
    const pending = [...this.unbumped];
    try {
      await Promise.all(pending.map((s) => this.cache.incr(cacheKeys.barsEpoch(s), 1n)));
      for (const s of pending) this.unbumped.delete(s);
      this.observer.invalidated(pending.length);
    } catch {
      // Ingest does not fail for the cache: this process stops caching until the bump goes through.
      this.retry ??= setTimeout(() => {
        this.retry = undefined;
        void this.bump([]);
      }, this.retryMs).unref();
    }
  }

  /** Caching is off while a bump is owed (stale entries could be read) or a spool is draining. */
  private get writable(): boolean {
    return this.unbumped.size === 0 && !this.spooling;
  }

  override async candles(query: CandleQuery, signal?: AbortSignal): Promise<CandleRow[]> {
    const started = performance.now();
    const { timeframeMs: tf } = query;
    const chunkMs = CHUNK_BARS * tf;
    // Whole bars only: a bar cut by the range's edge is the store's to build from its ticks.
    const from = Math.ceil(query.startMsc / tf) * tf;
    const ended = Math.floor((this.now() - CLOSED_MARGIN_MS) / chunkMs) * chunkMs;
    const to = Math.min(Math.floor(query.endMsc / tf) * tf, ended);
    if (this.unbumped.size > 0 || to <= from) {
      const bars = await this.inner.candles(query, signal);
      this.observer.read("store", (performance.now() - started) / 1000);
      return bars;
    }
    const edge = (startMsc: number, endMsc: number) =>
      startMsc < endMsc ? this.inner.candles({ ...query, startMsc, endMsc }, signal) : Promise.resolve<CandleRow[]>([]);
    const [head, tail] = await Promise.all([edge(query.startMsc, from), edge(to, query.endMsc)]);
    // Newest chunks first, until the limit is met: a long range with a small limit reads little.
    const middle: CandleRow[][] = [];
    let have = tail.length;
    let hit = 0;
    let miss = 0;
    let chunkEnd = Math.ceil(to / chunkMs) * chunkMs;
    const firstChunk = Math.floor(from / chunkMs) * chunkMs;
    let scanned = 0;
    for (let want = Math.ceil((query.limit - have) / CHUNK_BARS) + 1; have < query.limit && chunkEnd > firstChunk && scanned < MAX_SCANNED_CHUNKS; want *= 2) {
      const starts: number[] = [];
      for (let s = chunkEnd - chunkMs; s >= firstChunk && starts.length < Math.min(want, MAX_SCANNED_CHUNKS - scanned); s -= chunkMs) starts.unshift(s);
      const got = await this.chunks(query, starts, signal);
      hit += got.hit;
      miss += got.miss;
      const bars = got.bars.filter((b) => b.openTimeMsc >= from && b.openTimeMsc < to);
      middle.unshift(bars);
      have += bars.length;
      scanned += starts.length;
      chunkEnd = starts[0]!;
    }
    // A sparse series over a long range: what is older than the scanned chunks is the store's.
    const older = have < query.limit && chunkEnd > from ? await this.inner.candles({ ...query, startMsc: from, endMsc: chunkEnd, limit: query.limit - have }, signal) : [];
    this.observer.chunks(hit, miss);
    this.observer.read(miss === 0 && older.length === 0 ? "cache" : "mixed", (performance.now() - started) / 1000);
    return [...head, ...older, ...middle.flat(), ...tail].slice(-query.limit);
  }

  /** The bars of whole chunks, oldest first: from the cache, and from the store for the rest (then cached). */
  private async chunks(query: CandleQuery, starts: readonly number[], signal?: AbortSignal): Promise<{ bars: CandleRow[]; hit: number; miss: number }> {
    const { symbol } = query;
    const known = this.epochs.get(symbol) ?? 0;
    const keysAt = (epoch: number) => starts.map((s) => cacheKeys.bars(symbol, query.timeframeMs, query.broker, query.price, s, epoch));
    let epoch = known;
    let found: (Uint8Array | undefined)[];
    try {
      const [stored, ...values] = await this.cache.mget([cacheKeys.barsEpoch(symbol), ...keysAt(known)]);
      epoch = stored ? Number(Buffer.from(stored).toString("latin1")) : 0;
      found = epoch === known ? values : await this.cache.mget(keysAt(epoch));
      this.epochs.set(symbol, epoch);
    } catch {
      // The cache is an accelerator: without it the store answers.
      const bars = await this.inner.candles({ ...query, startMsc: starts[0]!, endMsc: starts.at(-1)! + CHUNK_BARS * query.timeframeMs, limit: starts.length * CHUNK_BARS }, signal);
      return { bars, hit: 0, miss: starts.length };
    }
    const chunks = found.map((v) => (v ? decodeChunk(v) : undefined));
    const missing = starts.filter((_, i) => !chunks[i]);
    if (missing.length > 0) {
      const chunkMs = CHUNK_BARS * query.timeframeMs;
      const built = await this.inner.candles({ ...query, startMsc: missing[0]!, endMsc: missing.at(-1)! + chunkMs, limit: (missing.at(-1)! - missing[0]!) / chunkMs * CHUNK_BARS + CHUNK_BARS }, signal);
      const byChunk = new Map<number, CandleRow[]>(missing.map((s) => [s, []]));
      for (const b of built) byChunk.get(Math.floor(b.openTimeMsc / chunkMs) * chunkMs)?.push(b);
      starts.forEach((s, i) => (chunks[i] ??= byChunk.get(s)));
      if (this.writable) {
        const entries = missing.map((s) => ({ key: cacheKeys.bars(symbol, query.timeframeMs, query.broker, query.price, s, epoch), value: encodeChunk(byChunk.get(s)!) }));
        // A failed write costs the next reader a store query, nothing more.
        await this.cache.mset(entries, this.options.ttlMs).catch(() => undefined);
      }
    }
    return { bars: chunks.flatMap((c) => c ?? []), hit: starts.length - missing.length, miss: missing.length };
  }

  close(): void {
    clearTimeout(this.retry);
  }
}

/** Symbols with a tick before `dayStart`: their cached bars may lack it. */
function lateSymbols(block: TickBlock, dayStart: number): Set<string> {
  const late = new Set<string>();
  for (let i = 0; i < block.length; i++) if (block.timeMsc[i]! < dayStart) late.add(block.symbols[block.symbolIndex[i]!]!);
  return late;
}

function encodeChunk(bars: readonly CandleRow[]): Uint8Array {
  const out = new Float64Array(bars.length * FIELDS);
  bars.forEach((b, i) => out.set([b.openTimeMsc, b.open, b.high, b.low, b.close, b.volume, b.tickCount], i * FIELDS));
  return new Uint8Array(out.buffer);
}

/** undefined for bytes that are not a chunk (written by something else): the store rebuilds it. */
function decodeChunk(bytes: Uint8Array): CandleRow[] | undefined {
  if (bytes.length % (FIELDS * 8) !== 0) return undefined;
  // Float64Array needs an 8-byte aligned offset, which bytes inside a client's read buffer may not
  // have: new Uint8Array(bytes) copies to offset 0 (a Buffer's slice() is a view at the same one).
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
  const f = new Float64Array(aligned.buffer, aligned.byteOffset, aligned.length / 8);
  const bars: CandleRow[] = new Array(f.length / FIELDS);
  for (let i = 0, j = 0; j < f.length; i++, j += FIELDS) {
    bars[i] = { openTimeMsc: f[j]!, open: f[j + 1]!, high: f[j + 2]!, low: f[j + 3]!, close: f[j + 4]!, volume: f[j + 5]!, tickCount: f[j + 6]! };
  }
  return bars;
}
