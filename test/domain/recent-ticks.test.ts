import { describe, expect, it } from "vitest";
import type { TickRow } from "../../src/ports/tick-store.js";
import { RecentTicks } from "../../src/domain/recent-ticks.js";
import { blockFromRows } from "../../src/tick-block/tick-block.js";

let clock = 1_733_000_000_000;
const tick = (symbol: string, broker: string): TickRow => {
  const t = clock++;
  return { symbol, broker, accountType: t % 3, timeMsc: t, bid: t / 1e9, ask: t / 1e9 + 1e-5, last: t % 7, volume: (t % 11) / 2, flags: t % 255 };
};

/** What the rings must hold: per series, its last `capacity` ticks by arrival, newest first. */
function model(batches: TickRow[][], capacity: number) {
  const bySeries = new Map<string, TickRow[]>();
  for (const r of batches.flat()) {
    const key = `${r.symbol}|${r.broker}`;
    bySeries.set(key, [...(bySeries.get(key) ?? []), r]);
  }
  return new Map([...bySeries].map(([k, rows]) => [k, rows.slice(-capacity).reverse()]));
}

describe("RecentTicks", () => {
  const capacity = 100;
  const shapes: Record<string, () => TickRow[][]> = {
    "one long series, longer than the ring": () => [Array.from({ length: 250 }, () => tick("EURUSD", "ICM"))],
    "runs that wrap the ring": () => Array.from({ length: 7 }, () => Array.from({ length: 45 }, () => tick("EURUSD", "ICM"))),
    "interleaved series, runs of one": () => [Array.from({ length: 300 }, (_, i) => tick(i % 2 ? "EURUSD" : "XAUUSD", i % 3 ? "ICM" : "Pepper"))],
    "long and short runs mixed": () => [
      [...Array.from({ length: 40 }, () => tick("A", "b")), ...Array.from({ length: 3 }, () => tick("B", "b")), ...Array.from({ length: 130 }, () => tick("A", "b"))],
      Array.from({ length: 31 }, () => tick("B", "b")),
      Array.from({ length: 33 }, () => tick("B", "b")),
    ],
  };

  for (const [name, make] of Object.entries(shapes)) {
    it(`holds each series' newest ticks, newest first: ${name}`, () => {
      const batches = make();
      const recent = new RecentTicks(capacity);
      for (const b of batches) recent.add(blockFromRows(b));
      for (const [key, expected] of model(batches, capacity)) {
        const [symbol, broker] = key.split("|") as [string, string];
        expect(recent.newest(symbol, broker, capacity + 10)).toEqual(expected);
        expect(recent.newest(symbol, broker, 5)).toEqual(expected.slice(0, 5));
        expect(recent.coveredFrom(symbol, broker)).toBe(expected.at(-1)!.timeMsc);
      }
    });
  }
});
