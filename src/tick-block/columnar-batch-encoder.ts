import type { TickBlock } from "../ports/tick-block.js";
import { int64Halves } from "./column-chunk.js";

/**
 * A block as the bytes of a TickBatch { batch_id = 1; columns = 3 } message, written by hand into
 * one buffer of the exact size. Why not toBinary: protobuf-es's writer grows its buffer by
 * doubling, shifts each nested message to prefix its length and copies the result out at the end,
 * about four copies of a 265 KB record; it was 8% of the tick log's CPU per tick (profile in
 * bench/RESULTS.md). The bytes are the ones toBinary writes (fields in number order, proto3
 * defaults left out), which test/tick-log/tick-log.test.ts holds it to.
 */
export function encodeColumnarBatch(batchId: string, block: TickBlock): Uint8Array {
  const encoder = new TextEncoder();
  const id = encoder.encode(batchId);
  const symbols = block.symbols.map((s) => encoder.encode(s));
  const brokers = block.brokers.map((s) => encoder.encode(s));
  const n = block.length;
  const columns: [field: number, bytes: number][] = [
    [3, 4 * n],
    [4, 4 * n],
    [5, n],
    [6, 8 * n],
    [7, 8 * n],
    [8, 8 * n],
    [9, 8 * n],
    [10, 8 * n],
    [11, 4 * n],
  ];
  const stringsSize = (strings: Uint8Array[]) => strings.reduce((sum, s) => sum + 1 + varintSize(s.length) + s.length, 0);
  const columnsSize = stringsSize(symbols) + stringsSize(brokers) + columns.reduce((sum, [, len]) => sum + (len === 0 ? 0 : 1 + varintSize(len) + len), 0);
  const total = (id.length === 0 ? 0 : 1 + varintSize(id.length) + id.length) + 1 + varintSize(columnsSize) + columnsSize;

  const out = new Uint8Array(total);
  let pos = 0;
  const varint = (v: number) => {
    while (v > 0x7f) {
      out[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[pos++] = v;
  };
  const lengthDelimited = (field: number, length: number) => {
    out[pos++] = (field << 3) | 2;
    varint(length);
  };
  const put = (field: number, bytes: Uint8Array) => {
    lengthDelimited(field, bytes.length);
    out.set(bytes, pos);
    pos += bytes.length;
  };
  const typed = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

  if (id.length > 0) put(1, id);
  lengthDelimited(3, columnsSize);
  for (const s of symbols) put(1, s);
  for (const s of brokers) put(2, s);
  if (n > 0) {
    put(3, typed(block.symbolIndex));
    put(4, typed(block.brokerIndex));
    put(5, typed(block.accountType));
    put(6, typed(int64Halves(block.timeMsc)));
    put(7, typed(block.bid));
    put(8, typed(block.ask));
    put(9, typed(block.last));
    put(10, typed(block.volume));
    put(11, typed(block.flags));
  }
  if (pos !== total) throw new Error(`columnar batch encoder wrote ${pos} of ${total} bytes`);
  return out;
}

function varintSize(v: number): number {
  let size = 1;
  while (v > 0x7f) {
    v >>>= 7;
    size++;
  }
  return size;
}
