import type { CandleRow, PriceField, TickStore } from "../ports/tick-store.js";
import { priceOf } from "./prices.js";
import type { RecentTicks } from "./recent-ticks.js";

/** One series' bars: a symbol, one broker or (undefined) all of them, a width and a price. */
export type BarSeries = { symbol: string; broker: string | undefined; timeframeMs: number; price: PriceField };

/** A bar being built, with the tick times that decide its open and close (as argMin/argMax do). */
export type FormingBar = CandleRow & { firstMsc: number; lastMsc: number };

export const barOpen = (timeMsc: number, timeframeMs: number) => Math.floor(timeMsc / timeframeMs) * timeframeMs;

export function startBar(openTimeMsc: number, timeMsc: number, price: number, volume: number): FormingBar {
  return { openTimeMsc, open: price, high: price, low: price, close: price, volume, tickCount: 1, firstMsc: timeMsc, lastMsc: timeMsc };
}

/** Adds a tick of the bar's period: open and close follow tick time, not arrival. */
export function addTick(b: FormingBar, timeMsc: number, price: number, volume: number): void {
  if (timeMsc < b.firstMsc) {
    b.open = price;
    b.firstMsc = timeMsc;
  }
  if (timeMsc >= b.lastMsc) {
    b.close = price;
    b.lastMsc = timeMsc;
  }
  if (price > b.high) b.high = price;
  if (price < b.low) b.low = price;
  b.volume += volume;
  b.tickCount++;
}

/** Puts the store's part of a bar (ticks older than any memory holds) in front of memory's part. */
export function addOlder(b: FormingBar, older: CandleRow): void {
  b.open = older.open;
  b.firstMsc = older.openTimeMsc;
  b.high = Math.max(b.high, older.high);
  b.low = Math.min(b.low, older.low);
  b.volume += older.volume;
  b.tickCount += older.tickCount;
}

export function plainBar(b: FormingBar): CandleRow {
  const { firstMsc: _f, lastMsc: _l, ...bar } = b;
  return bar;
}

/**
 * A series' bars from `startMsc` to `endMsc` as they stand: memory's part taken now, at the call
 * (so a caller that also follows the live feed can tell which ticks it has seen), and the store's
 * part, older than anything memory holds, when it arrives. Memory serves from the time it holds
 * every tick of the series (RecentTicks.coveredFrom); the store serves what is older, and where
 * the two meet inside one bar, `addOlder` joins them.
 */
export function barsAsTheyStand(
  recent: RecentTicks,
  store: TickStore,
  series: BarSeries,
  startMsc: number,
  endMsc: number,
  limit: number,
  signal?: AbortSignal,
): { fromMemory: FormingBar[]; older: Promise<CandleRow[]> } {
  const { symbol, broker, timeframeMs, price } = series;
  const covered = recent.coveredFrom(symbol, broker);
  const fromMemory: FormingBar[] = [];
  if (covered !== undefined && covered < endMsc) {
    const held = recent.newest(symbol, broker, Number.MAX_SAFE_INTEGER);
    const from = Math.max(covered, startMsc);
    const byOpen = new Map<number, FormingBar>();
    for (let k = held.length - 1; k >= 0; k--) {
      const t = held[k]!;
      if (t.timeMsc < from || t.timeMsc >= endMsc) continue;
      const open = barOpen(t.timeMsc, timeframeMs);
      const p = priceOf(t, price);
      const bar = byOpen.get(open);
      if (bar) addTick(bar, t.timeMsc, p, t.volume);
      else byOpen.set(open, startBar(open, t.timeMsc, p, t.volume));
    }
    fromMemory.push(...[...byOpen.values()].sort((a, b) => a.openTimeMsc - b.openTimeMsc));
  }
  // Past `limit` bars from memory, its oldest (perhaps partial) bar is cut anyway: no store part.
  const storeEnd = covered === undefined ? endMsc : Math.min(covered, endMsc);
  const older = storeEnd > startMsc && fromMemory.length <= limit ? store.candles({ symbol, broker, timeframeMs, startMsc, endMsc: storeEnd, price, limit }, signal) : Promise.resolve([]);
  return { fromMemory, older };
}

/** The bars of `barsAsTheyStand` in one list, oldest first, the newest `limit`. */
export function joinBars(older: readonly CandleRow[], fromMemory: readonly FormingBar[], limit: number): CandleRow[] {
  const bars = older.map((b) => ({ ...b }));
  const joined = fromMemory.map((b) => ({ ...b }));
  const first = joined[0];
  const last = bars.at(-1);
  if (first && last && last.openTimeMsc === first.openTimeMsc) {
    addOlder(first, last);
    bars.pop();
  }
  return [...bars, ...joined.map(plainBar)].slice(-limit);
}
