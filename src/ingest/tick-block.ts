import { endianness } from "node:os";
import { create } from "@bufbuild/protobuf";
import { type Tick, type TickBatch, type TickColumns, TickSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import type { TickRow } from "../ports/tick-store.js";

/**
 * TickBlock is the ingest pipeline's in-memory form of a batch: one typed array per column.
 * Both wire forms (row-wise and columnar) are turned into it once; validation, storage encoding
 * (RowBinary), the recent-ticks ring and fan-out all read columns instead of objects.
 */
export type TickBlock = {
  readonly length: number;
  readonly symbol: readonly string[];
  readonly broker: readonly string[];
  readonly accountType: Uint8Array;
  /** Milliseconds since the epoch; integers up to 2^53 are exact in a double. */
  readonly timeMsc: Float64Array;
  readonly bid: Float64Array;
  readonly ask: Float64Array;
  readonly last: Float64Array;
  readonly volume: Float64Array;
  readonly flags: Uint32Array;
};

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
  const column = <T extends Fixed>(name: string, bytes: Uint8Array, make: (n: number) => T): T => {
    const out = make(n);
    if (bytes.length !== out.byteLength) {
      throw new MalformedBatchError(`batch.columns.${name}`, -1, `has ${bytes.length} bytes; ${n} ticks need ${out.byteLength}`);
    }
    new Uint8Array(out.buffer).set(bytes);
    return out;
  };
  const symbolIndex = column("symbol_index", c.symbolIndex, (k) => new Uint32Array(k));
  const brokerIndex = column("broker_index", c.brokerIndex, (k) => new Uint32Array(k));
  const halves = column("time_msc", c.timeMsc, (k) => new Int32Array(2 * k));
  const block = {
    length: n,
    symbol: new Array<string>(n),
    broker: new Array<string>(n),
    accountType: column("account_type", c.accountType, (k) => new Uint8Array(k)),
    timeMsc: new Float64Array(n),
    bid: column("bid", c.bid, (k) => new Float64Array(k)),
    ask: column("ask", c.ask, (k) => new Float64Array(k)),
    last: column("last", c.last, (k) => new Float64Array(k)),
    volume: column("volume", c.volume, (k) => new Float64Array(k)),
    flags: column("flags", c.flags, (k) => new Uint32Array(k)),
  };
  for (let i = 0; i < n; i++) {
    const s = c.symbols[symbolIndex[i]!];
    if (s === undefined) throw new MalformedBatchError(`batch.columns.symbol_index[${i}]`, i, "points past the symbols dictionary");
    const b = c.brokers[brokerIndex[i]!];
    if (b === undefined) throw new MalformedBatchError(`batch.columns.broker_index[${i}]`, i, "points past the brokers dictionary");
    block.symbol[i] = s;
    block.broker[i] = b;
    block.timeMsc[i] = (halves[2 * i]! >>> 0) + halves[2 * i + 1]! * 4294967296;
  }
  return block;
}

export function blockFromTicks(ticks: readonly Tick[]): TickBlock {
  const n = ticks.length;
  const block = allocate(n);
  for (let i = 0; i < n; i++) {
    const t = ticks[i]!;
    block.symbol[i] = t.symbol;
    block.broker[i] = t.broker;
    block.accountType[i] = t.accountType >= 0 && t.accountType < 256 ? t.accountType : 255;
    block.timeMsc[i] = Number(t.timeMsc);
    block.bid[i] = t.bid;
    block.ask[i] = t.ask;
    block.last[i] = t.last;
    block.volume[i] = t.volume;
    block.flags[i] = t.flags;
  }
  return block;
}

export function blockFromRows(rows: readonly TickRow[]): TickBlock {
  const block = allocate(rows.length);
  rows.forEach((r, i) => {
    block.symbol[i] = r.symbol;
    block.broker[i] = r.broker;
    block.accountType[i] = r.accountType;
    block.timeMsc[i] = r.timeMsc;
    block.bid[i] = r.bid;
    block.ask[i] = r.ask;
    block.last[i] = r.last;
    block.volume[i] = r.volume;
    block.flags[i] = r.flags;
  });
  return block;
}

type MutableBlock = { -readonly [K in keyof TickBlock]: TickBlock[K] extends readonly string[] ? string[] : TickBlock[K] };

function allocate(n: number): MutableBlock {
  return {
    length: n,
    symbol: new Array<string>(n),
    broker: new Array<string>(n),
    accountType: new Uint8Array(n),
    timeMsc: new Float64Array(n),
    bid: new Float64Array(n),
    ask: new Float64Array(n),
    last: new Float64Array(n),
    volume: new Float64Array(n),
    flags: new Uint32Array(n),
  };
}

export function rowAt(block: TickBlock, i: number): TickRow {
  return {
    symbol: block.symbol[i]!,
    broker: block.broker[i]!,
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

/** The ticks at `indexes`, as a new block (used to filter fan-out). */
export function selectRows(block: TickBlock, indexes: readonly number[]): TickBlock {
  const out = allocate(indexes.length);
  for (let j = 0; j < indexes.length; j++) {
    const i = indexes[j]!;
    out.symbol[j] = block.symbol[i]!;
    out.broker[j] = block.broker[i]!;
    out.accountType[j] = block.accountType[i]!;
    out.timeMsc[j] = block.timeMsc[i]!;
    out.bid[j] = block.bid[i]!;
    out.ask[j] = block.ask[i]!;
    out.last[j] = block.last[i]!;
    out.volume[j] = block.volume[i]!;
    out.flags[j] = block.flags[i]!;
  }
  return out;
}
