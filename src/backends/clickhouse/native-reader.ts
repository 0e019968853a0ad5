/**
 * Reads ClickHouse's Native format (as the HTTP interface sends it: blocks of
 * `columns, rows, then per column its name, type and data`, no block info) for result sets whose
 * columns all have fixed-width types. Each column of a block comes out as its bytes,
 * little-endian as ClickHouse writes them: a view of the received chunk when the column arrived
 * in one, else one copy into a buffer of its own. A caller that forwards the bytes (or copies them
 * once into a typed array) pays no decode per value. Variable-width types are refused: the
 * queries that use this reader compute fixed-width columns instead (a dictionary index for a
 * string).
 */
export type NativeBlock = { rows: number; columns: Map<string, Uint8Array> };

const WIDTH: Record<string, number> = {
  UInt8: 1,
  Int8: 1,
  UInt16: 2,
  Int16: 2,
  UInt32: 4,
  Int32: 4,
  Float32: 4,
  UInt64: 8,
  Int64: 8,
  Float64: 8,
};

/** The received chunks not yet consumed, read front to back; `has` waits for more to arrive. */
class ChunkQueue {
  private chunks: Uint8Array[] = [];
  private offset = 0;
  private available = 0;
  private readonly source: AsyncIterator<Uint8Array>;

  constructor(stream: AsyncIterable<Uint8Array>) {
    this.source = stream[Symbol.asyncIterator]();
  }

  /** Whether at least `n` bytes are buffered, reading more as needed; false at the end of the stream. */
  async has(n: number): Promise<boolean> {
    while (this.available < n) {
      const next = await this.source.next();
      if (next.done) return false;
      const chunk = next.value;
      if (chunk.byteLength === 0) continue;
      this.available += chunk.byteLength;
      // A read that continues the last one in the same memory (SocketReads' slabs) joins it, so
      // a column spanning both is still a view.
      const last = this.chunks.at(-1);
      if (last && last.buffer === chunk.buffer && last.byteOffset + last.byteLength === chunk.byteOffset) {
        this.chunks[this.chunks.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.byteLength + chunk.byteLength);
      } else {
        this.chunks.push(chunk);
      }
    }
    return true;
  }

  async byte(): Promise<number> {
    if (!(await this.has(1))) throw new Error("Native reader: the stream ended inside a block");
    const b = this.chunks[0]![this.offset]!;
    this.advance(1);
    return b;
  }

  async varint(): Promise<number> {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = await this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
  }

  async text(): Promise<string> {
    return Buffer.from(await this.take(await this.varint())).toString("utf8");
  }

  /** The next `n` bytes: a view when they lie in one chunk, else copied once. */
  async take(n: number): Promise<Uint8Array> {
    if (!(await this.has(n))) throw new Error(`Native reader: the stream ended inside a block (${this.available} bytes left)`);
    const first = this.chunks[0]!;
    if (first.byteLength - this.offset >= n) {
      const view = first.subarray(this.offset, this.offset + n);
      this.advance(n);
      return view;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const part = Math.min(n - filled, chunk.byteLength - this.offset);
      out.set(chunk.subarray(this.offset, this.offset + part), filled);
      filled += part;
      this.advance(part);
    }
    return out;
  }

  private advance(n: number): void {
    this.offset += n;
    this.available -= n;
    if (this.offset === this.chunks[0]!.byteLength) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}

/** The blocks of a Native stream, each as soon as its last byte arrives. */
export async function* readNativeBlocks(stream: AsyncIterable<Uint8Array>): AsyncIterable<NativeBlock> {
  const q = new ChunkQueue(stream);
  while (await q.has(1)) {
    const ncols = await q.varint();
    const rows = await q.varint();
    const columns = new Map<string, Uint8Array>();
    for (let c = 0; c < ncols; c++) {
      const name = await q.text();
      const type = await q.text();
      const width = WIDTH[type];
      if (width === undefined) throw new Error(`Native reader: column ${name} has type ${type}, not a fixed-width number`);
      columns.set(name, await q.take(width * rows));
    }
    if (rows > 0) yield { rows, columns };
  }
}
