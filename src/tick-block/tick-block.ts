import type { TickBlock } from "../ports/tick-block.js";
import type { TickRow } from "../ports/tick-store.js";

/** Blocks of ticks as columns: building them tick by tick, slicing, selecting, numbering their series. */

export function blockFromRows(rows: readonly TickRow[]): TickBlock {
  const block = new BlockBuilder(rows.length);
  rows.forEach((r, i) => block.put(i, r.symbol, r.broker, r.accountType, r.timeMsc, r.bid, r.ask, r.last, r.volume, r.flags));
  return block.build();
}

/** By UTF-16 code unit, which for the ASCII names the tick rules allow is ClickHouse's byte order. */
export const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** By symbol, then broker. */
export function compareSeries(a: { symbol: string; broker: string }, b: { symbol: string; broker: string }): number {
  return compareText(a.symbol, b.symbol) || compareText(a.broker, b.broker);
}

/**
 * The replay order of ticks: time, then symbol, broker and every value, so that only identical
 * ticks tie (and which of two identical ticks comes first does not matter). Strings compare by
 * UTF-16 code unit, which for the ASCII names the tick rules allow is ClickHouse's byte order.
 */
export function compareReplayOrder(a: TickRow, b: TickRow): number {
  return (
    a.timeMsc - b.timeMsc ||
    compareSeries(a, b) ||
    a.bid - b.bid ||
    a.ask - b.ask ||
    a.last - b.last ||
    a.volume - b.volume ||
    a.flags - b.flags ||
    a.accountType - b.accountType
  );
}

/** A block's per-tick arrays. */
type Columns = Omit<TickBlock, "length" | "symbols" | "brokers">;

/** Fills a block tick by tick, collecting the symbol and broker dictionaries as it goes. */
export class BlockBuilder {
  private readonly symbols = new Map<string, number>();
  private readonly brokers = new Map<string, number>();
  private readonly columns: Columns;

  constructor(private readonly length: number) {
    this.columns = {
      symbolIndex: new Uint32Array(length),
      brokerIndex: new Uint32Array(length),
      accountType: new Uint8Array(length),
      timeMsc: new Float64Array(length),
      bid: new Float64Array(length),
      ask: new Float64Array(length),
      last: new Float64Array(length),
      volume: new Float64Array(length),
      flags: new Uint32Array(length),
    };
  }

  /**
   * Tick i, its symbol and broker going into the dictionaries. Values one by one rather than as a
   * row object: row-wise ingest calls this per tick and should not allocate per tick.
   */
  put(i: number, symbol: string, broker: string, accountType: number, timeMsc: number, bid: number, ask: number, last: number, volume: number, flags: number): void {
    const c = this.columns;
    c.symbolIndex[i] = entry(this.symbols, symbol);
    c.brokerIndex[i] = entry(this.brokers, broker);
    c.accountType[i] = accountType;
    c.timeMsc[i] = timeMsc;
    c.bid[i] = bid;
    c.ask[i] = ask;
    c.last[i] = last;
    c.volume[i] = volume;
    c.flags[i] = flags;
  }

  build(): TickBlock {
    // The same property order as the columnar and selected blocks: one object shape on hot paths.
    return { length: this.length, symbols: [...this.symbols.keys()], brokers: [...this.brokers.keys()], ...this.columns };
  }
}

function entry(dictionary: Map<string, number>, value: string): number {
  let k = dictionary.get(value);
  if (k === undefined) dictionary.set(value, (k = dictionary.size));
  return k;
}

export const symbolAt = (block: TickBlock, i: number): string => block.symbols[block.symbolIndex[i]!]!;
export const brokerAt = (block: TickBlock, i: number): string => block.brokers[block.brokerIndex[i]!]!;

/** The distinct symbol and broker pairs of a block, and each tick's pair as an index into them. */
export type BlockSeries = { readonly keys: readonly { symbol: string; broker: string }[]; readonly ofTick: Uint32Array };

const seriesOfBlock = new WeakMap<TickBlock, BlockSeries>();

/**
 * Numbers the block's series (symbol and broker pairs) in order of first appearance. Dictionary
 * entries are compared as strings, so a dictionary that repeats a value still gives one series.
 * Remembered per block: the ring and the last-tick cache both ask for every durable batch.
 */
export function seriesOf(block: TickBlock): BlockSeries {
  let series = seriesOfBlock.get(block);
  if (!series) seriesOfBlock.set(block, (series = numberSeries(block)));
  return series;
}

function numberSeries(block: TickBlock): BlockSeries {
  const canonical = (dictionary: readonly string[]) => {
    const first = new Map<string, number>();
    return Uint32Array.from(dictionary, (v) => entry(first, v));
  };
  // One symbol and one broker (a bridge's usual batch): one series, no per-tick lookups.
  if (block.length > 0 && block.symbols.length === 1 && block.brokers.length === 1) {
    return { keys: [{ symbol: block.symbols[0]!, broker: block.brokers[0]! }], ofTick: new Uint32Array(block.length) };
  }
  const symbol = canonical(block.symbols);
  const broker = canonical(block.brokers);
  const width = block.brokers.length;
  const seen = new Map<number, number>();
  const keys: { symbol: string; broker: string }[] = [];
  const ofTick = new Uint32Array(block.length);
  for (let i = 0; i < block.length; i++) {
    const pair = symbol[block.symbolIndex[i]!]! * width + broker[block.brokerIndex[i]!]!;
    let k = seen.get(pair);
    if (k === undefined) {
      seen.set(pair, (k = keys.length));
      keys.push({ symbol: symbolAt(block, i), broker: brokerAt(block, i) });
    }
    ofTick[i] = k;
  }
  return { keys, ofTick };
}

/** A tick's values as columns: a block's, without its symbol and broker (a recent-ticks ring's). */
export type TickValueColumns = Pick<TickBlock, "accountType" | "timeMsc" | "bid" | "ask" | "last" | "volume" | "flags">;

/** Tick i of `columns` as a row of `symbol` and `broker`. */
export function rowOf(columns: TickValueColumns, i: number, symbol: string, broker: string): TickRow {
  return {
    symbol,
    broker,
    accountType: columns.accountType[i]!,
    timeMsc: columns.timeMsc[i]!,
    bid: columns.bid[i]!,
    ask: columns.ask[i]!,
    last: columns.last[i]!,
    volume: columns.volume[i]!,
    flags: columns.flags[i]!,
  };
}

export function rowAt(block: TickBlock, i: number): TickRow {
  return rowOf(block, i, symbolAt(block, i), brokerAt(block, i));
}

/** The ticks at `indexes`, as a new block with the same dictionaries (used to filter fan-out). */
export function selectRows(block: TickBlock, indexes: readonly number[]): TickBlock {
  const pick = <T extends Uint8Array | Uint32Array | Float64Array>(column: T, out: T): T => {
    for (let j = 0; j < indexes.length; j++) out[j] = column[indexes[j]!]!;
    return out;
  };
  const n = indexes.length;
  return {
    length: n,
    symbols: block.symbols,
    brokers: block.brokers,
    symbolIndex: pick(block.symbolIndex, new Uint32Array(n)),
    brokerIndex: pick(block.brokerIndex, new Uint32Array(n)),
    accountType: pick(block.accountType, new Uint8Array(n)),
    timeMsc: pick(block.timeMsc, new Float64Array(n)),
    bid: pick(block.bid, new Float64Array(n)),
    ask: pick(block.ask, new Float64Array(n)),
    last: pick(block.last, new Float64Array(n)),
    volume: pick(block.volume, new Float64Array(n)),
    flags: pick(block.flags, new Uint32Array(n)),
  };
}

/** Ticks `from` to `to` (exclusive) as a block of views on the same columns, same dictionaries. */
export function sliceBlock(block: TickBlock, from: number, to: number): TickBlock {
  return {
    length: to - from,
    symbols: block.symbols,
    brokers: block.brokers,
    symbolIndex: block.symbolIndex.subarray(from, to),
    brokerIndex: block.brokerIndex.subarray(from, to),
    accountType: block.accountType.subarray(from, to),
    timeMsc: block.timeMsc.subarray(from, to),
    bid: block.bid.subarray(from, to),
    ask: block.ask.subarray(from, to),
    last: block.last.subarray(from, to),
    volume: block.volume.subarray(from, to),
    flags: block.flags.subarray(from, to),
  };
}
