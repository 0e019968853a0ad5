import type { TickBlock } from "./tick-block.js";
import type { BackendProbe, PoolStats } from "./backend.js";

/** A tick as the stores return it (plain numbers; the service maps it to the proto Tick). */
export type TickRow = {
  symbol: string;
  broker: string;
  accountType: number;
  timeMsc: number;
  bid: number;
  ask: number;
  last: number;
  volume: number;
  flags: number;
};

export type PriceField = "bid" | "ask" | "mid" | "last";

export type CandleQuery = {
  symbol: string;
  /** undefined: every broker. */
  broker: string | undefined;
  timeframeMs: number;
  startMsc: number;
  endMsc: number;
  price: PriceField;
  /** The newest `limit` bars. */
  limit: number;
};

export type CandleRow = {
  openTimeMsc: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  tickCount: number;
};

export type RangeQuery = {
  symbol: string;
  broker: string | undefined;
  startMsc: number;
  endMsc: number;
  chunkSize: number;
};

/** The last tick at or before `timeMsc` of every series of `symbols` (of `broker` only, when set). */
export type AsOfQuery = { symbols: readonly string[]; broker: string | undefined; timeMsc: number };

/**
 * Several series merged in one order: time, then symbol, broker and the values, so that ticks
 * with equal times have one order every time the replay is read (what a resume relies on).
 * `brokers` empty means all. The first `skip` ticks of that order are left out.
 */
export type ReplayQuery = { symbols: readonly string[]; brokers: readonly string[]; startMsc: number; endMsc: number; chunkSize: number; skip: number };

/**
 * A chunk of a range read in columns, in TickColumns' wire form: every per-tick field one
 * little-endian array of bytes, symbols and brokers as dictionaries with per-tick indexes.
 */
export type TickColumnChunk = {
  length: number;
  symbols: string[];
  brokers: string[];
  /** uint32 per tick */
  symbolIndex: Uint8Array;
  /** uint32 per tick */
  brokerIndex: Uint8Array;
  /** one byte per tick */
  accountType: Uint8Array;
  /** int64 milliseconds per tick */
  timeMsc: Uint8Array;
  /** float64 per tick, as are ask, last and volume */
  bid: Uint8Array;
  ask: Uint8Array;
  last: Uint8Array;
  volume: Uint8Array;
  /** uint32 per tick */
  flags: Uint8Array;
};

/**
 * Outcome of storing a batch: stored now, recognised as a retry of one already stored, or
 * (ingest spool only) kept in the local fsync'd spool until the store is back.
 */
export type InsertOutcome = "stored" | "duplicate" | "spooled";

/**
 * Where ticks are stored durably. `insert` resolves only once the rows are durable, and stores
 * a batch id at most once (a retry of a stored batch resolves "duplicate" and writes nothing).
 */
export type InsertOptions = {
  /**
   * The batch may have been stored by an attempt whose outcome is unknown (a replay after a
   * failure): look for its rows themselves, not only the record of stored batch ids.
   */
  verify?: boolean;
};

export interface TickStore extends BackendProbe {
  insert(batchId: string, block: TickBlock, signal?: AbortSignal, options?: InsertOptions): Promise<InsertOutcome>;
  /** Newest first. */
  recent(symbol: string, broker: string | undefined, limit: number, signal?: AbortSignal): Promise<TickRow[]>;
  /** Oldest first, in chunks of at most `chunkSize`, never the whole range in memory. */
  range(query: RangeQuery, signal?: AbortSignal): AsyncIterable<TickRow[]>;
  /** The same ticks as `range`, in the same order, as column chunks of at most `chunkSize` ticks. */
  rangeColumns(query: RangeQuery, signal?: AbortSignal): AsyncIterable<TickColumnChunk>;
  /** One tick per series, ordered by symbol then broker; series without a tick by then are absent. */
  asOf(query: AsOfQuery, signal?: AbortSignal): Promise<TickRow[]>;
  /** The merged series in ReplayQuery's order, as column chunks of at most `chunkSize` ticks. */
  replay(query: ReplayQuery, signal?: AbortSignal): AsyncIterable<TickColumnChunk>;
  /** Oldest first; bars without ticks are absent. */
  candles(query: CandleQuery, signal?: AbortSignal): Promise<CandleRow[]>;
}

/**
 * A TickStore that passes every call to another: the base of stores that change one or two
 * calls of the one they wrap (the ingest spool, the candle cache).
 */
export abstract class TickStoreDecorator implements TickStore {
  constructor(protected readonly inner: TickStore) {}

  get adapter(): string {
    return this.inner.adapter;
  }

  get circuit(): TickStore["circuit"] {
    return this.inner.circuit;
  }

  probe(signal?: AbortSignal): Promise<void> {
    return this.inner.probe(signal);
  }

  poolStats(): PoolStats | undefined {
    return this.inner.poolStats?.();
  }

  insert(batchId: string, block: TickBlock, signal?: AbortSignal, options?: InsertOptions): Promise<InsertOutcome> {
    return this.inner.insert(batchId, block, signal, options);
  }

  recent(symbol: string, broker: string | undefined, limit: number, signal?: AbortSignal): Promise<TickRow[]> {
    return this.inner.recent(symbol, broker, limit, signal);
  }

  range(query: RangeQuery, signal?: AbortSignal): AsyncIterable<TickRow[]> {
    return this.inner.range(query, signal);
  }

  rangeColumns(query: RangeQuery, signal?: AbortSignal): AsyncIterable<TickColumnChunk> {
    return this.inner.rangeColumns(query, signal);
  }

  asOf(query: AsOfQuery, signal?: AbortSignal): Promise<TickRow[]> {
    return this.inner.asOf(query, signal);
  }

  replay(query: ReplayQuery, signal?: AbortSignal): AsyncIterable<TickColumnChunk> {
    return this.inner.replay(query, signal);
  }

  candles(query: CandleQuery, signal?: AbortSignal): Promise<CandleRow[]> {
    return this.inner.candles(query, signal);
  }
}
