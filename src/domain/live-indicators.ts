import type { CandleRow, TickStore } from "../ports/tick-store.js";
import { type BarSeries, barsAsTheyStand, joinBars } from "./bars-from-ticks.js";
import { type IndicatorKind, type IndicatorState, indicatorState } from "./indicators.js";
import { BarUpdateQueue, type LiveBars } from "./live-bars.js";
import type { RecentTicks } from "./recent-ticks.js";

export type IndicatorSpec = { kind: IndicatorKind; period: number };

export type IndicatorUpdate = {
  symbol: string;
  broker: string | undefined;
  /** Open time of the bar the values belong to. */
  timeMsc: number;
  closed: boolean;
  /** One per spec, in order; undefined until the look-back is filled. */
  values: (number | undefined)[];
  /** Where the seeding history started. */
  startMsc: number;
};

export type IndicatorSubscription = {
  series: readonly BarSeries[];
  specs: readonly IndicatorSpec[];
  /** Where history starts; undefined for the default (HISTORY_PERIODS x the largest period). */
  startMsc: number | undefined;
  /** Provisional values of forming bars, at most every `intervalMs` per series. */
  intrabar: boolean;
  intervalMs: number;
};

/** Periods of history before the live bars, by default: an EMA's start then weighs under 1e-17. */
const HISTORY_PERIODS = 20;

/**
 * Indicator values of live bars for one subscriber. Each series is split at one bar, fixed when
 * the subscription starts (LiveBars.liveFrom): the bar forming then (or the clock's, if none). Bars
 * before it are history, read from memory and the store as they stand at that moment; bars from
 * it on come from LiveBars as they close. A live bar older than the split is late and not counted,
 * as LiveBars does not count late ticks; GetIndicators later counts both.
 */
export async function* indicatorUpdates(
  bars: LiveBars,
  recent: RecentTicks,
  store: TickStore,
  sub: IndicatorSubscription,
  limits: { maxBars: number; maxClosedBacklog: number },
  signal: AbortSignal,
): AsyncGenerator<IndicatorUpdate> {
  const queue = new BarUpdateQueue(limits.maxClosedBacklog, sub.intrabar);
  const maxPeriod = Math.max(...sub.specs.map((s) => s.period));
  const unwatch: (() => void)[] = [];
  const followed = new Map<string, Followed>();
  try {
    const started = sub.series.map((s) => {
      unwatch.push(bars.watch(s, queue.push));
      const liveFrom = bars.liveFrom(s);
      const startMsc = sub.startMsc ?? Math.max(0, liveFrom - HISTORY_PERIODS * maxPeriod * s.timeframeMs);
      const f = new Followed(s, liveFrom, startMsc, sub.specs);
      followed.set(keyOf(s.symbol, s.broker), f);
      return { f, history: barsAsTheyStand(recent, store, s, startMsc, liveFrom, limits.maxBars, signal) };
    });
    for (const { f, history } of started) {
      const seeded = joinBars(await history.older, history.fromMemory, limits.maxBars);
      let values: (number | undefined)[] = [];
      for (const bar of seeded) values = f.advance(bar, true);
      const last = seeded.at(-1);
      if (last) yield f.update(last.openTimeMsc, true, values);
    }
    for await (const u of queue.drain(sub.intervalMs, signal)) {
      const f = followed.get(keyOf(u.symbol, u.broker));
      if (!f || u.bar.openTimeMsc < f.liveFrom) continue;
      yield f.update(u.bar.openTimeMsc, u.closed, f.advance(u.bar, u.closed));
    }
  } finally {
    for (const u of unwatch) u();
  }
}

const keyOf = (symbol: string, broker: string | undefined) => `${symbol}\u0000${broker ?? ""}`;

class Followed {
  private readonly states: IndicatorState[];

  constructor(
    readonly series: BarSeries,
    readonly liveFrom: number,
    private readonly startMsc: number,
    specs: readonly IndicatorSpec[],
  ) {
    this.states = specs.map((s) => indicatorState(s.kind, s.period));
  }

  /** Values at `bar`: final (the indicators move past it) when it has closed, provisional otherwise. */
  advance(bar: CandleRow, closed: boolean): (number | undefined)[] {
    return this.states.map((s) => s.next(bar, closed));
  }

  update(timeMsc: number, closed: boolean, values: (number | undefined)[]): IndicatorUpdate {
    return { symbol: this.series.symbol, broker: this.series.broker, timeMsc, closed, values, startMsc: this.startMsc };
  }
}
