import { ResourceExhaustedError } from "../errors.js";
import type { TickBlock } from "../ports/tick-block.js";
import type { CandleRow, TickStore } from "../ports/tick-store.js";
import { addOlder, addTick, barOpen, type BarSeries, barsAsTheyStand, type FormingBar, plainBar, startBar } from "./bars-from-ticks.js";
import { priceOf } from "./prices.js";
import type { DurableTickListener } from "./tick-fan-out.js";
import type { RecentTicks } from "./recent-ticks.js";

export type { BarSeries } from "./bars-from-ticks.js";

export type BarUpdate = { symbol: string; broker: string | undefined; bar: CandleRow; closed: boolean };

type Listener = (update: BarUpdate) => void;

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
   * Where a watcher of the series splits history from live bars: the open of the bar forming now
   * (the clock's, if none is). Bars that close after watch() from here on reach the watcher;
   * older ones are history (a later one of those is late, and not counted live).
   */
  liveFrom(series: BarSeries): number {
    const key = seriesKey(series);
    return this.watched.get(series.symbol)?.find((x) => x.key === key)?.bar?.openTimeMsc ?? barOpen(this.now(), series.timeframeMs);
  }

  /**
   * The bar so far: its period is the clock's, or that of the newest tick memory holds if later.
   * Memory's part is taken now, before any tick of the live feed reaches the bar; the store's
   * older part joins it when it arrives.
   */
  private seed(w: Watched): void {
    const { symbol, broker, timeframeMs } = w.series;
    const newest = this.recent.newest(symbol, broker, 1)[0];
    const open = Math.max(barOpen(this.now(), timeframeMs), newest ? barOpen(newest.timeMsc, timeframeMs) : 0);
    const { fromMemory, older } = barsAsTheyStand(this.recent, this.store, w.series, open, open + timeframeMs, 1);
    w.bar = fromMemory[0];
    // Without the store, the bar goes on from memory's part and the feed.
    older.then(([bar]) => bar && w.mergeOlder(bar), () => undefined);
  }
}

/** Bar updates from the sweeper and from ingest: no timer runs unless someone watches. */
const SWEEP_MS = 200;

class Watched {
  readonly listeners = new Set<Listener>();
  bar: FormingBar | undefined;
  /** Open time of the last bar closed here: ticks of it or earlier are late. */
  private closedOpen = Number.NEGATIVE_INFINITY;

  constructor(
    readonly series: BarSeries,
    readonly key: string,
  ) {}

  add(timeMsc: number, price: number, volume: number): void {
    const open = barOpen(timeMsc, this.series.timeframeMs);
    if (open <= this.closedOpen) return;
    if (this.bar && open < this.bar.openTimeMsc) return;
    if (this.bar && open > this.bar.openTimeMsc) this.close();
    if (this.bar) addTick(this.bar, timeMsc, price, volume);
    else this.bar = startBar(open, timeMsc, price, volume);
    this.emit(false);
  }

  close(): void {
    if (!this.bar) return;
    this.emit(true);
    this.closedOpen = this.bar.openTimeMsc;
    this.bar = undefined;
  }

  /** The store's part of the bar so far (ticks older than any memory holds), merged in front. */
  mergeOlder(older: CandleRow): void {
    if (older.openTimeMsc <= this.closedOpen) return;
    if (!this.bar) this.bar = { ...older, firstMsc: older.openTimeMsc, lastMsc: older.openTimeMsc };
    else if (this.bar.openTimeMsc === older.openTimeMsc) addOlder(this.bar, older);
    else return;
    this.emit(false);
  }

  update(closed: boolean): BarUpdate {
    return { symbol: this.series.symbol, broker: this.series.broker, bar: plainBar(this.bar!), closed };
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
 * every `intervalMs`; none kept when `withForming` is off) and every closed bar in order. Past
 * `maxClosed` closed bars unread, the subscriber is ended with RESOURCE_EXHAUSTED, as a slow
 * SubscribeTicks reader is: ingest never waits for a reader.
 */
export class BarUpdateQueue {
  private readonly closed: BarUpdate[] = [];
  private readonly forming = new Map<string, BarUpdate>();
  private failed: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly maxClosed: number,
    private readonly withForming: boolean,
  ) {}

  /** The listener to give LiveBars.watch. */
  readonly push = (u: BarUpdate): void => {
    const key = `${u.symbol}\u0000${u.broker ?? ""}`;
    if (u.closed) {
      this.forming.delete(key);
      if (this.closed.length >= this.maxClosed) this.failed ??= new ResourceExhaustedError(`subscriber fell more than ${this.maxClosed} closed bars behind and was dropped`);
      else this.closed.push(u);
    } else if (this.withForming) {
      this.forming.set(key, u);
    }
    this.wake?.();
  };

  async *drain(intervalMs: number, signal: AbortSignal): AsyncGenerator<BarUpdate> {
    const onAbort = () => this.wake?.();
    signal.addEventListener("abort", onAbort);
    let lastSent = 0;
    try {
      while (!signal.aborted) {
        if (this.failed) throw this.failed;
        const next = this.closed.shift();
        if (next) {
          yield next;
          continue;
        }
        const due = lastSent + intervalMs - performance.now();
        if (this.forming.size > 0 && due <= 0) {
          const updates = [...this.forming.values()];
          this.forming.clear();
          lastSent = performance.now();
          yield* updates;
          continue;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          if (this.forming.size > 0) setTimeout(resolve, Math.max(0, due));
        });
        this.wake = undefined;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }
}

/** Live bars of `series` for one subscriber, through a BarUpdateQueue. */
export async function* barUpdates(bars: LiveBars, series: readonly BarSeries[], intervalMs: number, maxClosed: number, signal: AbortSignal): AsyncGenerator<BarUpdate> {
  const queue = new BarUpdateQueue(maxClosed, true);
  const unwatch = series.map((s) => bars.watch(s, queue.push));
  try {
    yield* queue.drain(intervalMs, signal);
  } finally {
    for (const u of unwatch) u();
  }
}
