import { endianness } from "node:os";
import { create } from "@bufbuild/protobuf";
import { type Tick, type TickBatch, type TickColumns, TickSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import type { TickBlock } from "../ports/tick-block.js";
import type { TickColumnChunk, TickRow } from "../ports/tick-store.js";


/** Per batch, as tick.proto states them. */
export const MAX_BATCH_TICKS = 100_000;
const MAX_SYMBOLS = 10_000;
const MAX_BROKERS = 1_000;

/** Structural problems of a columnar batch (length mismatches, bad indexes) are reported like field violations. */
export class MalformedBatchError extends Error {
  constructor(
    readonly field: string,
    readonly index: number,
    description: string,
  ) {
    super(description);
  }
}

export function blockFromBatch(batch: TickBatch): TickBlock {
  switch (batch.payload.case) {
    case "rows":
      return blockFromTicks(batch.payload.value.ticks);
    case "columns":
      return blockFromColumns(batch.payload.value);
    default:
      throw new MalformedBatchError("batch.payload", -1, "a batch needs rows or columns");
  }
}

/**
 * Whole milliseconds (exact below 2^53) as int64 little-endian, read as two 32-bit halves each:
 * the wire form of time, made without a BigInt per value.
 */
export function int64Halves(values: Float64Array): Int32Array {
  const halves = new Int32Array(2 * values.length);
  for (let i = 0; i < values.length; i++) {
    const t = values[i]!;
    const hi = Math.floor(t / 4294967296);
    halves[2 * i] = t - hi * 4294967296;
    halves[2 * i + 1] = hi;
  }
  return halves;
}

/** Wire arrays are little-endian and typed arrays use the host's order: they agree on x86 and ARM. */
export function requireLittleEndianHost(who: string): void {
  if (endianness() !== "LE") throw new Error(`${who} reads and writes typed arrays as little-endian bytes`);
}
requireLittleEndianHost("the columnar tick decoder");

type Fixed = Uint8Array | Uint32Array | Float64Array | Int32Array;

/**
 * The columnar form's little-endian arrays, copied once each into aligned typed arrays (a copy
 * rather than a view: the block outlives the request and must not pin its buffer). Times are
 * int64 on the wire and read as two 32-bit halves, so no BigInt is made per tick.
 */
export function blockFromColumns(c: TickColumns): TickBlock {
  const n = c.timeMsc.length / 8;
  if (n === 0) throw new MalformedBatchError("batch.columns.time_msc", -1, "a batch needs at least one tick");
  if (!Number.isInteger(n)) throw new MalformedBatchError("batch.columns.time_msc", -1, `has ${c.timeMsc.length} bytes, not a whole number of 8-byte values`);
  // The limits protovalidate states on TickColumns, checked here because stream messages do not
  // pass through it, and before anything is copied.
  if (n > MAX_BATCH_TICKS) throw new MalformedBatchError("batch.columns.time_msc", -1, `holds ${n} ticks; a batch holds at most ${MAX_BATCH_TICKS}`);
  if (c.symbols.length > MAX_SYMBOLS) throw new MalformedBatchError("batch.columns.symbols", -1, `holds ${c.symbols.length} entries; at most ${MAX_SYMBOLS}`);
  if (c.brokers.length > MAX_BROKERS) throw new MalformedBatchError("batch.columns.brokers", -1, `holds ${c.brokers.length} entries; at most ${MAX_BROKERS}`);
  const column = <T extends Fixed>(name: string, bytes: Uint8Array, make: (n: number) => T): T => {
    const out = make(n);
    if (bytes.length !== out.byteLength) {
      throw new MalformedBatchError(`batch.columns.${name}`, -1, `has ${bytes.length} bytes; ${n} ticks need ${out.byteLength}`);
    }
    new Uint8Array(out.buffer).set(bytes);
    return out;
  };
  const halves = column("time_msc", c.timeMsc, (k) => new Int32Array(2 * k));
  const block: TickBlock = {
    length: n,
    symbols: c.symbols,
    brokers: c.brokers,
    symbolIndex: column("symbol_index", c.symbolIndex, (k) => new Uint32Array(k)),
    brokerIndex: column("broker_index", c.brokerIndex, (k) => new Uint32Array(k)),
    accountType: column("account_type", c.accountType, (k) => new Uint8Array(k)),
    timeMsc: new Float64Array(n),
    bid: column("bid", c.bid, (k) => new Float64Array(k)),
    ask: column("ask", c.ask, (k) => new Float64Array(k)),
    last: column("last", c.last, (k) => new Float64Array(k)),
    volume: column("volume", c.volume, (k) => new Float64Array(k)),
    flags: column("flags", c.flags, (k) => new Uint32Array(k)),
  };
  const symbols = c.symbols.length;
  const brokers = c.brokers.length;
  for (let i = 0; i < n; i++) {
    if (block.symbolIndex[i]! >= symbols) throw new MalformedBatchError(`batch.columns.symbol_index[${i}]`, i, "points past the symbols dictionary");
    if (block.brokerIndex[i]! >= brokers) throw new MalformedBatchError(`batch.columns.broker_index[${i}]`, i, "points past the brokers dictionary");
    block.timeMsc[i] = (halves[2 * i]! >>> 0) + halves[2 * i + 1]! * 4294967296;
  }
  return block;
}

export function blockFromTicks(ticks: readonly Tick[]): TickBlock {
  const block = new BlockBuilder(ticks.length);
  ticks.forEach((t, i) =>
    block.put(i, t.symbol, t.broker, t.accountType >= 0 && t.accountType < 256 ? t.accountType : 255, Number(t.timeMsc), t.bid, t.ask, t.last, t.volume, t.flags),
  );
  return block.build();
}

export function blockFromRows(rows: readonly TickRow[]): TickBlock {
  const block = new BlockBuilder(rows.length);
  rows.forEach((r, i) => block.put(i, r.symbol, r.broker, r.accountType, r.timeMsc, r.bid, r.ask, r.last, r.volume, r.flags));
  return block.build();
}

/** Rows as a column chunk in TickColumns' wire form (time as int64 milliseconds). */
export function columnChunkFromRows(rows: readonly TickRow[]): TickColumnChunk {
  return columnsOfBlock(blockFromRows(rows));
}

/**
 * A block in TickColumns' wire form: the typed arrays' bytes as they are (views, no copy), time
 * as int64 written in two 32-bit halves, so no BigInt is made per tick.
 */
export function columnsOfBlock(b: TickBlock): TickColumnChunk {
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return {
    length: b.length,
    symbols: [...b.symbols],
    brokers: [...b.brokers],
    symbolIndex: bytes(b.symbolIndex),
    brokerIndex: bytes(b.brokerIndex),
    accountType: b.accountType,
    timeMsc: bytes(int64Halves(b.timeMsc)),
    bid: bytes(b.bid),
    ask: bytes(b.ask),
    last: bytes(b.last),
    volume: bytes(b.volume),
    flags: bytes(b.flags),
  };
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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

/** Ticks [from, to) of a column chunk, as views of its arrays. */
export function sliceColumnChunk(c: TickColumnChunk, from: number, to: number): TickColumnChunk {
  const w = (bytes: Uint8Array, width: number) => bytes.subarray(from * width, to * width);
  return {
    length: to - from,
    symbols: c.symbols,
    brokers: c.brokers,
    symbolIndex: w(c.symbolIndex, 4),
    brokerIndex: w(c.brokerIndex, 4),
    accountType: w(c.accountType, 1),
    timeMsc: w(c.timeMsc, 8),
    bid: w(c.bid, 8),
    ask: w(c.ask, 8),
    last: w(c.last, 8),
    volume: w(c.volume, 8),
    flags: w(c.flags, 4),
  };
}

/** The time of tick i of a column chunk, in milliseconds. */
export function chunkTimeAt(c: TickColumnChunk, i: number): number {
  return Number(new DataView(c.timeMsc.buffer, c.timeMsc.byteOffset, c.timeMsc.byteLength).getBigInt64(i * 8, true));
}

/** A block's per-tick arrays. */
type Columns = Omit<TickBlock, "length" | "symbols" | "brokers">;

/** Fills a block tick by tick, collecting the symbol and broker dictionaries as it goes. */
class BlockBuilder {
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

export function rowAt(block: TickBlock, i: number): TickRow {
  return {
    symbol: symbolAt(block, i),
    broker: brokerAt(block, i),
    accountType: block.accountType[i]!,
    timeMsc: block.timeMsc[i]!,
    bid: block.bid[i]!,
    ask: block.ask[i]!,
    last: block.last[i]!,
    volume: block.volume[i]!,
    flags: block.flags[i]!,
  };
}

export function toProtoTick(r: TickRow): Tick {
  return create(TickSchema, { ...r, timeMsc: BigInt(r.timeMsc) });
}

export function tickAt(block: TickBlock, i: number): Tick {
  return toProtoTick(rowAt(block, i));
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
