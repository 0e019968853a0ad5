import { endianness } from "node:os";
import type { TickColumnChunk, TickRow } from "../ports/tick-store.js";
import type { TickBlock } from "../ports/tick-block.js";
import { blockFromRows } from "./tick-block.js";

/** The wire form of columns (TickColumns' little-endian arrays): what reads answer and ingest accepts. */

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
