import type { TickColumnChunk } from "../ports/tick-store.js";
import { sliceColumnChunk } from "./column-chunk.js";

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
  const h = view(held.timeMsc);
  const lo = h.getUint32(0, true);
  const hi = h.getUint32(4, true);
  const t = view(c.timeMsc);
  let k = 0;
  while (k < c.length && t.getUint32(8 * k, true) === lo && t.getUint32(8 * k + 4, true) === hi) k++;
  return k;
}

/** Where the run of the last tick's time begins. */
function tailRunStart(c: TickColumnChunk): number {
  const t = view(c.timeMsc);
  const lo = t.getUint32(8 * (c.length - 1), true);
  const hi = t.getUint32(8 * (c.length - 1) + 4, true);
  let i = c.length - 1;
  while (i > 0 && t.getUint32(8 * (i - 1), true) === lo && t.getUint32(8 * (i - 1) + 4, true) === hi) i--;
  return i;
}

/** The chunk with each run of equal times sorted in place. */
function ordered(c: TickColumnChunk): TickColumnChunk {
  const t = view(c.timeMsc);
  let from = 0;
  let lo = t.getUint32(0, true);
  let hi = t.getUint32(4, true);
  for (let i = 1; i <= c.length; i++) {
    if (i < c.length) {
      const l = t.getUint32(8 * i, true);
      const h = t.getUint32(8 * i + 4, true);
      if (l === lo && h === hi) continue;
      lo = l;
      hi = h;
    }
    if (i - from > 1) sortRun(c, from, i);
    from = i;
  }
  return c;
}

/** Ticks [from, to) of one time, sorted by symbol, broker and values, every column moved alike. */
function sortRun(c: TickColumnChunk, from: number, to: number): void {
  const symbol = view(c.symbolIndex);
  const broker = view(c.brokerIndex);
  const values = [c.bid, c.ask, c.last, c.volume].map(view);
  const flags = view(c.flags);
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const order = Array.from({ length: to - from }, (_, k) => from + k).sort((a, b) => {
    let d = text(c.symbols[symbol.getUint32(4 * a, true)]!, c.symbols[symbol.getUint32(4 * b, true)]!);
    d ||= text(c.brokers[broker.getUint32(4 * a, true)]!, c.brokers[broker.getUint32(4 * b, true)]!);
    for (const v of values) d ||= v.getFloat64(8 * a, true) - v.getFloat64(8 * b, true);
    return d || flags.getUint32(4 * a, true) - flags.getUint32(4 * b, true) || c.accountType[a]! - c.accountType[b]!;
  });
  for (const [name, width] of COLUMNS) {
    const column = c[name];
    const before = column.slice(from * width, to * width);
    order.forEach((source, k) => column.set(before.subarray((source - from) * width, (source - from + 1) * width), (from + k) * width));
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
