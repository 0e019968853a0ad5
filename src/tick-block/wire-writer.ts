/**
 * Protobuf messages made of length-delimited fields (bytes, strings, nested messages), written by
 * hand into one buffer of the exact size. Why not toBinary: protobuf-es's writer grows its buffer
 * by doubling, shifts each nested message to prefix its length and copies the result out at the
 * end, and the gRPC envelope then copies it once more: for the megabytes of a columnar chunk that
 * is several copies and allocations, most of the garbage collector's work (profile in
 * bench/RESULTS.md). The bytes are the ones toBinary writes (fields in the order given, which
 * callers keep in field-number order; proto3 defaults left out), which tests hold it to.
 */

/** One field: bytes (left out when empty unless `repeated`), or a nested message (always written). */
export type WireField = { readonly field: number; readonly bytes: Uint8Array; readonly repeated?: boolean } | { readonly field: number; readonly message: readonly WireField[] };

const utf8 = new TextEncoder();

export const bytesField = (field: number, bytes: Uint8Array): WireField => ({ field, bytes });
export const stringField = (field: number, text: string): WireField => ({ field, bytes: utf8.encode(text) });
export const repeatedStrings = (field: number, texts: readonly string[]): WireField[] => texts.map((t) => ({ field, bytes: utf8.encode(t), repeated: true }));
export const messageField = (field: number, message: readonly WireField[]): WireField => ({ field, message });

/** The message's bytes after `headroom` bytes left for the caller (a gRPC envelope's prefix). */
export function writeMessage(fields: readonly WireField[], headroom = 0): Uint8Array {
  return writeMessageParts(fields, headroom, Number.POSITIVE_INFINITY)[0]!;
}

/**
 * The message as parts to write one after another, `headroom` bytes free at the start of the
 * first: each bytes field of at least `viewBytes` is the caller's own Uint8Array, not copied,
 * and everything else is written into one buffer cut around them. For a columnar chunk this is
 * megabytes less to allocate and copy per message, and fewer of the collections such external
 * allocations set off (bench/RESULTS.md, slab reads).
 */
export function writeMessageParts(fields: readonly WireField[], headroom: number, viewBytes: number): Uint8Array[] {
  const sizes = new Map<readonly WireField[], number>();
  const total = sizeOf(fields, sizes);
  const views: View[] = [];
  const own = new Uint8Array(headroom + total - viewedBytes(fields, viewBytes));
  const end = writeFields(own, headroom, fields, sizes, { viewBytes, views });
  if (end !== own.length) throw new Error(`wire writer wrote ${end - headroom} of ${own.length - headroom} own bytes`);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const { at, bytes } of views) {
    if (at > from) parts.push(own.subarray(from, at));
    parts.push(bytes);
    from = at;
  }
  if (from < own.length || parts.length === 0) parts.push(own.subarray(from));
  return parts;
}

/** A field's bytes left in place, and where in the written buffer they belong. */
type View = { at: number; bytes: Uint8Array };

function viewedBytes(fields: readonly WireField[], viewBytes: number): number {
  let sum = 0;
  for (const f of fields) sum += "message" in f ? viewedBytes(f.message, viewBytes) : f.bytes.length >= viewBytes ? f.bytes.length : 0;
  return sum;
}

function sizeOf(fields: readonly WireField[], sizes: Map<readonly WireField[], number>): number {
  let size = 0;
  for (const f of fields) {
    if (f.field < 1 || f.field > 15) throw new Error(`wire writer: field ${f.field} needs a tag of more than one byte`);
    let length: number;
    if ("message" in f) length = sizeOf(f.message, sizes);
    else if (f.bytes.length === 0 && !f.repeated) continue;
    else length = f.bytes.length;
    size += 1 + varintSize(length) + length;
  }
  sizes.set(fields, size);
  return size;
}

function writeFields(out: Uint8Array, at: number, fields: readonly WireField[], sizes: Map<readonly WireField[], number>, left: { viewBytes: number; views: View[] }): number {
  let pos = at;
  for (const f of fields) {
    if (!("message" in f) && f.bytes.length === 0 && !f.repeated) continue;
    out[pos++] = (f.field << 3) | 2;
    pos = writeVarint(out, pos, "message" in f ? sizes.get(f.message)! : f.bytes.length);
    if ("message" in f) pos = writeFields(out, pos, f.message, sizes, left);
    else if (f.bytes.length >= left.viewBytes) left.views.push({ at: pos, bytes: f.bytes });
    else {
      out.set(f.bytes, pos);
      pos += f.bytes.length;
    }
  }
  return pos;
}

/** The bytes of `value` (non-negative, below 2^32) as a varint. */
export function varintSize(value: number): number {
  let size = 1;
  for (let v = value >>> 0; v > 0x7f; v >>>= 7) size++;
  return size;
}

/** Writes `value` (non-negative, below 2^32) as a varint at `at`; the position after it. */
export function writeVarint(out: Uint8Array, at: number, value: number): number {
  let pos = at;
  let v = value >>> 0;
  while (v > 0x7f) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos++] = v;
  return pos;
}

/**
 * An int64 as the two 32-bit halves of the unsigned 64 bits protobuf writes (two's complement, so
 * a negative value takes ten bytes). Times and offsets are positive and below 2^53, so number
 * arithmetic does it without a BigInt operation; anything else goes through BigInt.
 */
export function halves(v: bigint): [lo: number, hi: number] {
  // Exact for 0 < v <= 2^53 - 1; anything above rounds to at least 2^53 and falls through.
  const n = Number(v);
  if (n > 0 && n <= Number.MAX_SAFE_INTEGER) return [n >>> 0, Math.floor(n / 4294967296)];
  const u = BigInt.asUintN(64, v);
  return [Number(u & 0xffffffffn), Number(u >> 32n)];
}

/** Writes a 64-bit varint given as its unsigned halves (see halves); the position after it. */
export function writeVarint64(out: Uint8Array, at: number, low: number, high: number): number {
  let lo = low;
  let hi = high;
  let pos = at;
  while (hi > 0 || lo > 0x7f) {
    out[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  out[pos++] = lo;
  return pos;
}

/** The bytes of a 64-bit varint given as its unsigned halves. */
export function varint64Size(low: number, high: number): number {
  let lo = low;
  let hi = high;
  let size = 1;
  while (hi > 0 || lo > 0x7f) {
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
    size++;
  }
  return size;
}
