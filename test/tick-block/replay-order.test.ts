import { describe, expect, it } from "vitest";
import type { TickColumnChunk, TickRow } from "../../src/ports/tick-store.js";
import { columnChunkFromRows, sliceColumnChunk } from "../../src/tick-block/column-chunk.js";
import { afterSkipping, inReplayOrder } from "../../src/tick-block/replay-order.js";
import { compareReplayOrder } from "../../src/tick-block/tick-block.js";
import { seededRandom } from "../../bench/lib.js";

function rowsOf(c: TickColumnChunk): TickRow[] {
  const v = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [symbol, broker, time, bid, ask, last, volume, flags] = [c.symbolIndex, c.brokerIndex, c.timeMsc, c.bid, c.ask, c.last, c.volume, c.flags].map(v);
  return Array.from({ length: c.length }, (_, i) => ({
    symbol: c.symbols[symbol!.getUint32(4 * i, true)]!,
    broker: c.brokers[broker!.getUint32(4 * i, true)]!,
    accountType: c.accountType[i]!,
    timeMsc: Number(time!.getBigInt64(8 * i, true)),
    bid: bid!.getFloat64(8 * i, true),
    ask: ask!.getFloat64(8 * i, true),
    last: last!.getFloat64(8 * i, true),
    volume: volume!.getFloat64(8 * i, true),
    flags: flags!.getUint32(4 * i, true),
  }));
}

/**
 * The chunk with each column a Buffer, as columns read from a socket are (whose slice() is a view,
 * not a copy), copied to an odd byte offset of a larger Buffer or not.
 */
function asRead(c: TickColumnChunk, odd: boolean): TickColumnChunk {
  const at = (bytes: Uint8Array) => {
    const out = Buffer.alloc(bytes.byteLength + 64).subarray(odd ? 33 : 32, (odd ? 33 : 32) + bytes.byteLength);
    out.set(bytes);
    return out;
  };
  return { ...c, symbolIndex: at(c.symbolIndex), brokerIndex: at(c.brokerIndex), accountType: at(c.accountType), timeMsc: at(c.timeMsc), bid: at(c.bid), ask: at(c.ask), last: at(c.last), volume: at(c.volume), flags: at(c.flags) };
}

async function* each<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

async function collect(chunks: AsyncIterable<TickColumnChunk>): Promise<TickRow[]> {
  const out: TickRow[] = [];
  for await (const c of chunks) out.push(...rowsOf(c));
  return out;
}

describe("replay order from chunks sorted by time alone", () => {
  const random = seededRandom(11);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;

  /** Ticks in time order with ties in random order (what ClickHouse's ORDER BY ts gives), cut at random places. */
  function timeSorted(n: number, times: number) {
    // Times apart in the low or in the high 32 bits of their int64 form, both compared.
    const step = pick([1, 2 ** 32]);
    const rows: TickRow[] = Array.from({ length: n }, () => ({
      symbol: pick(["EURUSD", "AUDJPY", "XAUUSD"]),
      broker: pick(["Left", "Right"]),
      accountType: pick([1, 2]),
      timeMsc: 1_700_000_000_000 + Math.floor(random() * times) * step,
      bid: pick([1, 1.5, 2]),
      ask: pick([2, 3]),
      last: 0,
      volume: pick([0.5, 1]),
      flags: pick([2, 6]),
    }));
    rows.sort((a, b) => a.timeMsc - b.timeMsc);
    const whole = columnChunkFromRows(rows);
    const cuts = [0, ...Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * n)).sort((a, b) => a - b), n];
    const chunks = cuts.slice(1).map((to, i) => asRead(sliceColumnChunk(whole, cuts[i]!, to), random() < 0.5));
    return { expected: [...rows].sort(compareReplayOrder), chunks };
  }

  it("orders every run of equal times by symbol, broker and values, across chunk boundaries", async () => {
    for (let trial = 0; trial < 200; trial++) {
      const { expected, chunks } = timeSorted(1 + Math.floor(random() * 300), 1 + Math.floor(random() * 20));
      expect(await collect(inReplayOrder(each(chunks)))).toEqual(expected);
    }
  });

  it("skips the first ticks of the order, wherever the chunks end", async () => {
    for (let trial = 0; trial < 50; trial++) {
      const { expected, chunks } = timeSorted(120, 8);
      const skip = Math.floor(random() * 130);
      expect(await collect(afterSkipping(inReplayOrder(each(chunks)), skip))).toEqual(expected.slice(skip));
    }
  });

  it("passes chunks without equal times through in their order", async () => {
    const rows: TickRow[] = Array.from({ length: 10 }, (_, i) => ({ symbol: "S", broker: "B", accountType: 1, timeMsc: 1000 + i, bid: 10 - i, ask: 1, last: 0, volume: 1, flags: 0 }));
    const whole = columnChunkFromRows(rows);
    expect(await collect(inReplayOrder(each([sliceColumnChunk(whole, 0, 4), sliceColumnChunk(whole, 4, 10)])))).toEqual(rows);
    expect(await collect(inReplayOrder(each<TickColumnChunk>([])))).toEqual([]);
  });
});
