import type { TickColumnChunk } from "../ports/tick-store.js";
import { sliceColumnChunk } from "./column-chunk.js";
import { compareText } from "./tick-block.js";

/**
 * Replays in their total order (compareReplayOrder: time, then symbol, broker and every value)
 * from a store that sorts by time alone. ClickHouse 18.16 sorts on one numeric key with a
 * specialised sort and on several with a generic comparator: a 2M-tick replay's query took
 * 370 ms sorted on every key against 325 ms on time (bench/RESULTS.md, 2026-12-05). Equal times
 * are rare in ticks, so the runs of them are ordered here instead, in place.
 */

/** Per-tick columns of a chunk and their byte widths. */
const COLUMNS = [
  ["symbolIndex", 4],
  ["brokerIndex", 4],
  ["accountType", 1],
  ["timeMsc", 8],
  ["bid", 8],
  ["ask", 8],
  ["last", 8],
  ["volume", 8],
  ["flags", 4],
] as const;

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Chunks in time order into the replay order. The chunks are of one read (the same symbols and
 * brokers); they may be written to. The run of equal times that ends a chunk may go on in the
 * next, so it is held back until a later time shows; the chunks that come out are not the ones
 * that went in (cut them to size afterwards).
 */
export async function* inReplayOrder(chunks: AsyncIterable<TickColumnChunk>): AsyncIterable<TickColumnChunk> {
  let held: TickColumnChunk | undefined;
  for await (const chunk of chunks) {
    let c = chunk;
    if (c.length === 0) continue;
    if (held) {
      const k = leadingRun(c, held);
      if (k === c.length) {
        held = joined(held, c);
        continue;
      }
      yield ordered(k > 0 ? joined(held, sliceColumnChunk(c, 0, k)) : held);
      c = sliceColumnChunk(c, k, c.length);
    }
    const tail = tailRunStart(c);
    if (tail > 0) yield ordered(sliceColumnChunk(c, 0, tail));
    held = sliceColumnChunk(c, tail, c.length);
  }
  if (held) yield ordered(held);
}

/** The chunks with their first `skip` ticks left out. */
export async function* afterSkipping(chunks: AsyncIterable<TickColumnChunk>, skip: number): AsyncIterable<TickColumnChunk> {
  for await (const c of chunks) {
    if (skip >= c.length) {
      skip -= c.length;
      continue;
    }
    yield skip > 0 ? sliceColumnChunk(c, skip, c.length) : c;
    skip = 0;
  }
}

/** How many ticks at the start of `c` have the time of `held`'s (all of held's ticks share one). */
function leadingRun(c: TickColumnChunk, held: TickColumnChunk): number {
  let k = 0;
  while (k < c.length && sameTime(c.timeMsc, k, held.timeMsc, 0)) k++;
  return k;
}

/** Where the run of the last tick's time begins. */
function tailRunStart(c: TickColumnChunk): number {
  let i = c.length - 1;
  while (i > 0 && sameTime(c.timeMsc, i - 1, c.timeMsc, c.length - 1)) i--;
  return i;
}

/** The chunk with each run of equal times sorted in place. */
function ordered(c: TickColumnChunk): TickColumnChunk {
  const t = c.timeMsc;
  let from = 0;
  let runs: RunSorter | undefined;
  for (let i = 1; i <= c.length; i++) {
    if (i < c.length && sameTime(t, i, t, i - 1)) continue;
    if (i - from > 1) (runs ??= new RunSorter(c)).sort(from, i);
    from = i;
  }
  return c;
}

/**
 * Whether tick a of time column s and tick b of time column t have the same time, compared byte
 * by byte: a column may sit at any offset (no typed-array view without a copy), and neighbouring
 * times mostly differ in their first, lowest byte. 1.3 ns a tick against 3.3 for copying the
 * column to an aligned Int32Array first (tsx, 50,000-tick columns).
 */
function sameTime(s: Uint8Array, a: number, t: Uint8Array, b: number): boolean {
  for (let k = 0; k < 8; k++) if (s[8 * a + k] !== t[8 * b + k]) return false;
  return true;
}

/** Sorts runs of one chunk's ticks by symbol, broker and values, moving every column alike. */
class RunSorter {
  private readonly symbol: DataView;
  private readonly broker: DataView;
  private readonly values: DataView[];
  private readonly flags: DataView;
  private readonly compare = (a: number, b: number): number => {
    const c = this.c;
    let d = compareText(c.symbols[this.symbol.getUint32(4 * a, true)]!, c.symbols[this.symbol.getUint32(4 * b, true)]!);
    d ||= compareText(c.brokers[this.broker.getUint32(4 * a, true)]!, c.brokers[this.broker.getUint32(4 * b, true)]!);
    for (const v of this.values) d ||= v.getFloat64(8 * a, true) - v.getFloat64(8 * b, true);
    return d || this.flags.getUint32(4 * a, true) - this.flags.getUint32(4 * b, true) || c.accountType[a]! - c.accountType[b]!;
  };

  constructor(private readonly c: TickColumnChunk) {
    this.symbol = view(c.symbolIndex);
    this.broker = view(c.brokerIndex);
    this.values = [c.bid, c.ask, c.last, c.volume].map(view);
    this.flags = view(c.flags);
  }

  sort(from: number, to: number): void {
    const order: number[] = [];
    for (let i = from; i < to; i++) order.push(i);
    order.sort(this.compare);
    if (order.every((source, k) => source === from + k)) return;
    for (const [name, width] of COLUMNS) {
      const column = this.c[name];
      const before = new Uint8Array(column.subarray(from * width, to * width));
      for (let k = 0; k < order.length; k++) {
        const source = (order[k]! - from) * width;
        const target = (from + k) * width;
        for (let b = 0; b < width; b++) column[target + b] = before[source + b]!;
      }
    }
  }
}

/** Two chunks of one read as one, copied. */
function joined(a: TickColumnChunk, b: TickColumnChunk): TickColumnChunk {
  const out = { ...a, length: a.length + b.length };
  for (const [name] of COLUMNS) {
    const column = new Uint8Array(a[name].byteLength + b[name].byteLength);
    column.set(a[name]);
    column.set(b[name], a[name].byteLength);
    out[name] = column;
  }
  return out;
}
