import { create } from "@bufbuild/protobuf";
import { type Tick, TickSchema, type TickBatch } from "../../gen/neliti/dataplane/v1/tick_pb.js";
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
    case "columns": {
      const c = batch.payload.value;
      const n = c.timeMsc.length;
      const columns: [string, { length: number }][] = [
        ["symbol_index", c.symbolIndex],
        ["broker_index", c.brokerIndex],
        ["account_type", c.accountType],
        ["bid", c.bid],
        ["ask", c.ask],
        ["last", c.last],
        ["volume", c.volume],
        ["flags", c.flags],
      ];
      if (n === 0) throw new MalformedBatchError("batch.columns.time_msc", -1, "a batch needs at least one tick");
      for (const [name, col] of columns) {
        if (col.length !== n) {
          throw new MalformedBatchError(`batch.columns.${name}`, -1, `has ${col.length} values, time_msc has ${n}`);
        }
      }
      const symbol = new Array<string>(n);
      const broker = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const s = c.symbols[c.symbolIndex[i]!];
        if (s === undefined) throw new MalformedBatchError(`batch.columns.symbol_index[${i}]`, i, "points past the symbols dictionary");
        const b = c.brokers[c.brokerIndex[i]!];
        if (b === undefined) throw new MalformedBatchError(`batch.columns.broker_index[${i}]`, i, "points past the brokers dictionary");
        symbol[i] = s;
        broker[i] = b;
      }
      const accountType = new Uint8Array(n);
      const timeMsc = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const a = c.accountType[i]!;
        // Out-of-range values become 255, which validation rejects by index.
        accountType[i] = a >= 0 && a < 256 ? a : 255;
        timeMsc[i] = Number(c.timeMsc[i]!);
      }
      return {
        length: n,
        symbol,
        broker,
        accountType,
        timeMsc,
        bid: new Float64Array(c.bid),
        ask: new Float64Array(c.ask),
        last: new Float64Array(c.last),
        volume: new Float64Array(c.volume),
        flags: new Uint32Array(c.flags),
      };
    }
    default:
      throw new MalformedBatchError("batch.payload", -1, "a batch needs rows or columns");
  }
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
