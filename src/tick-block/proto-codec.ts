import { type Tick, type TickBatch, type TickColumns, TickSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import type { TickBlock } from "../ports/tick-block.js";
import type { TickRow } from "../ports/tick-store.js";
import { requireLittleEndianHost } from "./column-chunk.js";
import { BlockBuilder, rowAt } from "./tick-block.js";

/** tick.proto's messages to blocks and back. */

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

/**
 * A proto3 message in protobuf-es is a plain object with its type name, so a Tick is written out
 * whole here instead of through create()'s reflective copy: about 0.45 us a tick against 0.05,
 * which a row-wise QueryTicks chunk (5,000 ticks) or GetRecentTicks pays per tick. Naming every
 * field keeps this exact: a field added to Tick fails to compile here (and a test compares it
 * with create()).
 */
export function toProtoTick(r: TickRow): Tick {
  return {
    $typeName: TickSchema.typeName,
    symbol: r.symbol,
    broker: r.broker,
    accountType: r.accountType,
    timeMsc: BigInt(r.timeMsc),
    bid: r.bid,
    ask: r.ask,
    last: r.last,
    volume: r.volume,
    flags: r.flags,
  };
}

export function tickAt(block: TickBlock, i: number): Tick {
  return toProtoTick(rowAt(block, i));
}
