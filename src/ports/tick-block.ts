/**
 * TickBlock is the ingest pipeline's in-memory form of a batch: one typed array per column, and
 * symbols and brokers as small dictionaries with per-tick indexes (a batch has a handful of each).
 * Both wire forms (row-wise and columnar) are turned into it once; validation, the Native
 * encoding, the recent-ticks ring, the last-tick cache and fan-out all read columns, and do their
 * per-symbol work once per dictionary entry instead of once per tick.
 */
export type TickBlock = {
  readonly length: number;
  /** Symbols of the batch; symbolIndex[i] points into it. May hold entries no tick uses. */
  readonly symbols: readonly string[];
  readonly symbolIndex: Uint32Array;
  /** Brokers of the batch; brokerIndex[i] points into it. */
  readonly brokers: readonly string[];
  readonly brokerIndex: Uint32Array;
  readonly accountType: Uint8Array;
  /** Milliseconds since the epoch; integers up to 2^53 are exact in a double. */
  readonly timeMsc: Float64Array;
  readonly bid: Float64Array;
  readonly ask: Float64Array;
  readonly last: Float64Array;
  readonly volume: Float64Array;
  readonly flags: Uint32Array;
};
