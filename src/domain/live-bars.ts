import { ResourceExhaustedError } from "../errors.js";
import type { TickBlock } from "../ports/tick-block.js";
import type { CandleRow, PriceField, TickStore } from "../ports/tick-store.js";
import { priceOf } from "./prices.js";
import type { DurableTickListener } from "./tick-fan-out.js";
import type { RecentTicks } from "./recent-ticks.js";

/** One series' bars: a symbol, one broker or (undefined) all of them, a width and a price. */
export type BarSeries = { symbol: string; broker: string | undefined; timeframeMs: number; price: PriceField };

export type BarUpdate = { symbol: string; broker: string | undefined; bar: CandleRow; closed: boolean };

type Listener = (update: BarUpdate) => void;

/** A bar being built, with the tick times that decide its open and close (as argMin/argMax do). */
type Forming = CandleRow & { firstMsc: number; lastMsc: number };

/**
 * Bars built as ticks arrive, for the series someone watches (SubscribeCandles), from the same
 * durable feed as SubscribeTicks, so with the tick log every replica builds them from every
 * replica's ticks. A bar is the one GetCandles returns for the same period: open and close are the
 * prices of its earliest and latest tick by tick time, high and low, volume summed, ticks counted.
 *
 * A bar closes when a tick of a later period arrives, or when the clock passes its end by
 * `closeGraceMs`; a closed bar is final here. A tick whose bar has closed (late, or out of order
 * across bars) is stored and counted by GetCandles, not by the live bar: that is the documented
 * rule. A series watched for the first time starts from the bar so far: the recent-ticks memory
 * when it reaches back to the bar's start, and the store for what is older.
 */
export class LiveBars implements DurableTickListener {
  private readonly watched = new Map<string, Watched[]>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly recent: RecentTicks,
    private readonly store: TickStore,
    private readonly closeGraceMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls `listener` with every change of the series' bars until the returned function is called. */
  watch(series: BarSeries, listener: Listener): () => void {
    const list = this.watched.get(series.symbol) ?? [];
    const key = seriesKey(series);
    let w = list.find((x) => x.key === key);
    if (!w) {
      w = new Watched(series, key);
      list.push(w);
      this.watched.set(series.symbol, list);
      this.seed(w);
    }
    const watching = w;
    watching.listeners.add(listener);
    if (watching.bar) listener(watching.update(false));
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
    return () => {
      watching.listeners.delete(listener);
      if (watching.listeners.size > 0) return;
      const rest = (this.watched.get(series.symbol) ?? []).filter((x) => x !== watching);
      if (rest.length > 0) this.watched.set(series.symbol, rest);
      else this.watched.delete(series.symbol);
      if (this.watched.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    };
  }

  onDurable(block: TickBlock): void {
    if (this.watched.size === 0) return;
    const bySymbol = block.symbols.map((s) => this.watched.get(s));
    for (let i = 0; i < block.length; i++) {
      const list = bySymbol[block.symbolIndex[i]!];
      if (!list) continue;
      const broker = block.brokers[block.brokerIndex[i]!]!;
      for (const w of list) {
        if (w.series.broker !== undefined && w.series.broker !== broker) continue;
        w.add(block.timeMsc[i]!, priceOf({ bid: block.bid[i]!, ask: block.ask[i]!, last: block.last[i]! }, w.series.price), block.volume[i]!);
      }
    }
  }

  /** Bars whose end the clock has passed by the grace close now, without waiting for a later tick. */
  private sweep(): void {
    const now = this.now();
    for (const list of this.watched.values()) for (const w of list) if (w.bar && w.bar.openTimeMsc + w.series.timeframeMs + this.closeGraceMs <= now) w.close();
  }

  /**
   * The bar so far: its period is the clock's, or that of the newest tick memory holds if later.
   * Memory serves when its oldest tick of the series is older than the bar; otherwise the store
   * serves what is older than memory's oldest tick (ticks arriving meanwhile are newer still).
   */
  private seed(w: Watched): void {
    const { symbol, broker, timeframeMs } = w.series;
    const held = this.recent.newest(symbol, broker, Number.MAX_SAFE_INTEGER);
    const period = (t: number) => Math.floor(t / timeframeMs) * timeframeMs;
    const open = Math.max(period(this.now()), held.length > 0 ? period(held[0]!.timeMsc) : 0);
    const inBar = held.filter((t) => t.timeMsc >= open && t.timeMsc < open + timeframeMs).reverse();
    for (const t of inBar) w.add(t.timeMsc, priceOf(t, w.series.price), t.volume, false);
    const oldestHeld = held.at(-1)?.timeMsc;
    if (oldestHeld !== undefined && oldestHeld < open) {
      w.publishSeeded();
      return;
    }
    const before = oldestHeld ?? open + timeframeMs;
    this.store
      .candles({ symbol, broker, timeframeMs, startMsc: open, endMsc: before, price: w.series.price, limit: 1 })
      .then(([older]) => w.mergeOlder(older))
      .catch(() => w.publishSeeded());
  }
}

/** Bar updates from the sweeper and from ingest: no timer runs unless someone watches. */
const SWEEP_MS = 200;

class Watched {
  readonly listeners = new Set<Listener>();
  bar: Forming | undefined;
  /** Open time of the last bar closed here: ticks of it or earlier are late. */
  private closedOpen = Number.NEGATIVE_INFINITY;

  constructor(
    readonly series: BarSeries,
    readonly key: string,
  ) {}

  add(timeMsc: number, price: number, volume: number, notify = true): void {
    const open = Math.floor(timeMsc / this.series.timeframeMs) * this.series.timeframeMs;
    if (open <= this.closedOpen) return;
    if (this.bar && open < this.bar.openTimeMsc) return;
    if (this.bar && open > this.bar.openTimeMsc) this.close();
    const b = this.bar;
    if (!b) {
      this.bar = { openTimeMsc: open, open: price, high: price, low: price, close: price, volume, tickCount: 1, firstMsc: timeMsc, lastMsc: timeMsc };
    } else {
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
    if (notify) this.emit(false);
  }

  close(): void {
    if (!this.bar) return;
    this.emit(true);
    this.closedOpen = this.bar.openTimeMsc;
    this.bar = undefined;
  }

  /** The store's part of the bar so far (ticks older than any memory holds), merged in front. */
  mergeOlder(older: CandleRow | undefined): void {
    if (older && older.openTimeMsc > this.closedOpen) {
      const b = this.bar;
      if (!b) {
        this.bar = { ...older, firstMsc: older.openTimeMsc, lastMsc: older.openTimeMsc };
      } else if (b.openTimeMsc === older.openTimeMsc) {
        b.open = older.open;
        b.firstMsc = older.openTimeMsc;
        b.high = Math.max(b.high, older.high);
        b.low = Math.min(b.low, older.low);
        b.volume += older.volume;
        b.tickCount += older.tickCount;
      }
    }
    this.publishSeeded();
  }

  publishSeeded(): void {
    if (this.bar) this.emit(false);
  }

  update(closed: boolean): BarUpdate {
    const { firstMsc: _f, lastMsc: _l, ...bar } = this.bar!;
    return { symbol: this.series.symbol, broker: this.series.broker, bar, closed };
  }

  private emit(closed: boolean): void {
    if (this.listeners.size === 0) return;
    const u = this.update(closed);
    for (const l of this.listeners) l(u);
  }
}

const seriesKey = (s: BarSeries) => `${s.symbol}\u0000${s.broker ?? "\u0001"}\u0000${s.timeframeMs}\u0000${s.price}`;

/**
 * A subscriber's queue of bar updates: the latest of each forming bar (coalesced, sent at most
 * every `intervalMs`) and every closed bar in order. Past `maxClosed` closed bars unread, the
 * subscriber is ended with RESOURCE_EXHAUSTED, as a slow SubscribeTicks reader is.
 */
export async function* barUpdates(bars: LiveBars, series: readonly BarSeries[], intervalMs: number, maxClosed: number, signal: AbortSignal): AsyncGenerator<BarUpdate> {
  const closed: BarUpdate[] = [];
  const forming = new Map<string, BarUpdate>();
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  const onUpdate = (u: BarUpdate) => {
    const key = `${u.symbol}\u0000${u.broker ?? ""}`;
    if (u.closed) {
      forming.delete(key);
      if (closed.length >= maxClosed) failed ??= new ResourceExhaustedError(`subscriber fell more than ${maxClosed} closed bars behind and was dropped`);
      else closed.push(u);
    } else {
      forming.set(key, u);
    }
    wake?.();
  };
  const unwatch = series.map((s) => bars.watch(s, onUpdate));
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  let lastSent = 0;
  try {
    while (!signal.aborted) {
      if (failed) throw failed;
      const next = closed.shift();
      if (next) {
        yield next;
        continue;
      }
      const due = lastSent + intervalMs - performance.now();
      if (forming.size > 0 && due <= 0) {
        const updates = [...forming.values()];
        forming.clear();
        lastSent = performance.now();
        yield* updates;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (forming.size > 0) setTimeout(resolve, Math.max(0, due));
      });
      wake = undefined;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    for (const u of unwatch) u();
  }
}
