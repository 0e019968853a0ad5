import { int64Halves, requireLittleEndianHost } from "../../tick-block/column-chunk.js";
import type { TickBlock } from "../../ports/tick-block.js";

/**
 * Ticks as one ClickHouse Native block for `INSERT INTO ticks (...) FORMAT Native`.
 *
 * Why Native rather than RowBinary: Native is columnar like TickBlock, so the price, volume, flag
 * and account columns go out as one copy of each typed array instead of a write per value, and
 * ClickHouse reads them the same way (measured in bench/RESULTS.md, "ingest"). The client has no
 * encoder for either format; this one is small because the block header is just names and types.
 *
 * Layout (the HTTP interface speaks the revision-0 form, the same on 18.16 and current servers):
 * column count and row count as LEB128, then per column its name and type as strings (LEB128
 * length + UTF-8) and its values: fixed-width numbers little-endian back to back, strings each as
 * length + bytes.
 */
export const TICK_COLUMNS = "symbol, broker, account_type, ts, bid, ask, last, volume, flags, batch_id";

requireLittleEndianHost("the Native block encoder");

/** The type `ts` is declared with in the block: Int64 milliseconds on 18.16, DateTime64(3) on current servers. */
export type TimeColumnType = "Int64" | "DateTime64(3, 'UTC')";

type FloatColumn = "bid" | "ask" | "last" | "volume";
const FLOAT_COLUMNS: readonly FloatColumn[] = ["bid", "ask", "last", "volume"];
/** Above this many distinct strings the cache starts again: batch ids are unique, symbols are not. */
const MAX_CACHED_STRINGS = 50_000;

export class NativeBlockEncoder {
  private readonly strings = new Map<string, Buffer>();
  private readonly buffers = new BufferPool(4);
  /** Per column, in TICK_COLUMNS order, its name and type: what precedes its values. */
  private readonly heads: Buffer[];

  constructor(timeType: TimeColumnType) {
    const types: [string, string][] = [
      ["symbol", "String"],
      ["broker", "String"],
      ["account_type", "UInt8"],
      ["ts", timeType],
      ["bid", "Float64"],
      ["ask", "Float64"],
      ["last", "Float64"],
      ["volume", "Float64"],
      ["flags", "UInt32"],
      ["batch_id", "String"],
    ];
    this.heads = types.map(([name, type]) => Buffer.concat([nativeString(name), nativeString(type)]));
  }

  /** The entries' Native bytes back to back, with where each starts and how long it is. */
  private dictionary(entries: readonly string[]): Dictionary {
    const encoded = entries.map((e) => this.stringBytes(e));
    const bytes = Buffer.concat(encoded);
    const start = new Uint32Array(encoded.length);
    const length = Uint32Array.from(encoded, (e) => e.length);
    for (let k = 1; k < encoded.length; k++) start[k] = start[k - 1]! + length[k - 1]!;
    return { bytes, start, length };
  }

  /** A string's Native bytes, cached: symbols and brokers repeat in every batch. */
  private stringBytes(s: string): Buffer {
    let b = this.strings.get(s);
    if (!b) {
      b = nativeString(s);
      if (this.strings.size >= MAX_CACHED_STRINGS) this.strings.clear();
      this.strings.set(s, b);
    }
    return b;
  }

  /** Hands a block's buffer back once its INSERT has finished, for the next encode to reuse. */
  release(block: Buffer): void {
    this.buffers.give(block);
  }

  /** The block as one buffer; pass it to release() when the server has it. */
  encode(batches: readonly { batchId: string; block: TickBlock }[]): Buffer {
    let rows = 0;
    let stringBytes = 0;
    // Per batch, its dictionaries' encoded entries: each string is looked up once per batch.
    const symbols: Dictionary[] = [];
    const brokers: Dictionary[] = [];
    for (const { batchId, block } of batches) {
      rows += block.length;
      const s = this.dictionary(block.symbols);
      const b = this.dictionary(block.brokers);
      symbols.push(s);
      brokers.push(b);
      stringBytes += this.stringBytes(batchId).length * block.length;
      for (let i = 0; i < block.length; i++) stringBytes += s.length[block.symbolIndex[i]!]! + b.length[block.brokerIndex[i]!]!;
    }
    const counts = Buffer.concat([leb128(this.heads.length), leb128(rows)]);
    const heads = this.heads.reduce((n, h) => n + h.length, 0);
    const out = this.buffers.take(counts.length + heads + stringBytes + rows * (1 + 8 + 8 * FLOAT_COLUMNS.length + 4));
    let o = counts.copy(out, 0);
    const [symbol, broker, account, ts, bid, ask, last, volume, flags, batchId] = this.heads as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];

    o += symbol.copy(out, o);
    batches.forEach(({ block }, k) => (o = putStrings(out, o, symbols[k]!, block.symbolIndex)));
    o += broker.copy(out, o);
    batches.forEach(({ block }, k) => (o = putStrings(out, o, brokers[k]!, block.brokerIndex)));
    o += account.copy(out, o);
    for (const { block } of batches) o = put(out, o, block.accountType);
    o += ts.copy(out, o);
    for (const { block } of batches) o = put(out, o, int64Halves(block.timeMsc));
    const floats: Record<FloatColumn, Buffer> = { bid, ask, last, volume };
    for (const column of FLOAT_COLUMNS) {
      o += floats[column].copy(out, o);
      for (const { block } of batches) o = put(out, o, block[column]);
    }
    o += flags.copy(out, o);
    for (const { block } of batches) o = put(out, o, block.flags);
    o += batchId.copy(out, o);
    for (const { batchId: id, block } of batches) o = putRepeated(out, o, this.stringBytes(id), block.length);
    return out;
  }
}

function put(out: Buffer, o: number, values: Uint8Array | Int32Array | Uint32Array | Float64Array): number {
  out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), o);
  return o + values.byteLength;
}

/**
 * A few large buffers kept for reuse. Why: a flush's block is megabytes; a fresh one each time
 * costs page faults on first write and garbage-collector work for the external memory, both
 * visible in the ingest profile.
 */
class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(private readonly keep: number) {}

  take(size: number): Buffer {
    const i = this.free.findIndex((b) => b.length >= size);
    if (i >= 0) return this.free.splice(i, 1)[0]!.subarray(0, size);
    // Room to grow, so that a slightly bigger flush next time still finds a buffer.
    return Buffer.allocUnsafeSlow(Math.ceil(size * 1.25)).subarray(0, size);
  }

  give(used: Buffer): void {
    if (this.free.length < this.keep) this.free.push(Buffer.from(used.buffer, used.byteOffset, used.buffer.byteLength - used.byteOffset));
  }
}

type Dictionary = { bytes: Uint8Array; start: Uint32Array; length: Uint32Array };

/**
 * The dictionary entry of each row, byte by byte: for a few bytes this beats Buffer#copy, whose
 * call costs more than the copy.
 */
function putStrings(out: Buffer, o: number, { bytes, start, length }: Dictionary, index: Uint32Array): number {
  // A one-entry dictionary (a bridge's batch is one symbol, one broker): the entry over and over.
  if (start.length === 1) return putRepeated(out, o, Buffer.from(bytes.buffer, bytes.byteOffset + start[0]!, length[0]!), index.length);
  for (let i = 0; i < index.length; i++) {
    const k = index[i]!;
    for (let j = start[k]!, end = j + length[k]!; j < end; j++) out[o++] = bytes[j]!;
  }
  return o;
}

/** `bytes` `times` over, by doubling what is already written. */
function putRepeated(out: Buffer, o: number, bytes: Buffer, times: number): number {
  const end = o + bytes.length * times;
  if (times === 0) return o;
  bytes.copy(out, o);
  for (let filled = bytes.length; o + filled < end; filled *= 2) out.copyWithin(o + filled, o, Math.min(o + filled, end - filled));
  return end;
}

function nativeString(s: string): Buffer {
  const utf8 = Buffer.from(s, "utf8");
  return Buffer.concat([leb128(utf8.length), utf8]);
}

function leb128(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}
