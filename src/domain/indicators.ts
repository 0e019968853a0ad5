import type { CandleRow } from "../ports/tick-store.js";

export type IndicatorKind = "sma" | "ema" | "rsi" | "vwap";
export type IndicatorPoint = { timeMsc: number; value: number };

/**
 * An indicator fed one bar at a time, oldest first. `next(bar, true)` moves past the bar and
 * returns the value at its close; `next(bar, false)` returns the value the bar would give if it
 * closed as it is now (a forming bar) and changes nothing. Undefined until the look-back is filled.
 *
 * GetIndicators and SubscribeIndicators both run these, so a live value is the batch value of the
 * same bars operation for operation, not merely close to it.
 */
export interface IndicatorState {
  next(bar: CandleRow, commit: boolean): number | undefined;
}

/**
 * - SMA: mean of the last `period` closes.
 * - EMA: alpha = 2 / (period + 1), seeded with the SMA of the first `period` closes.
 * - RSI: Wilder's smoothing of gains and losses over `period` changes; 100 when there were no
 *   losses, 50 when there was no movement at all.
 * - VWAP: over the last `period` bars, sum(typical price x weight) / sum(weight), typical price
 *   (high + low + close) / 3, weight the bar's volume, or its tick count where no volume is
 *   reported (forex feeds).
 */
export function indicatorState(kind: IndicatorKind, period: number): IndicatorState {
  switch (kind) {
    case "sma":
      return new Sma(period);
    case "ema":
      return new Ema(period);
    case "rsi":
      return new Rsi(period);
    case "vwap":
      return new Vwap(period);
  }
}

/** Indicator values over bars, oldest first; bars before the look-back is filled get none. */
export function computeIndicator(kind: IndicatorKind, period: number, bars: readonly CandleRow[]): IndicatorPoint[] {
  const state = indicatorState(kind, period);
  const out: IndicatorPoint[] = [];
  for (const bar of bars) {
    const value = state.next(bar, true);
    if (value !== undefined) out.push({ timeMsc: bar.openTimeMsc, value });
  }
  return out;
}

/** The last `capacity` items pushed, oldest first by `at(0)`. */
class Window<T> {
  private readonly items: T[] = [];
  private start = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  get full(): boolean {
    return this.items.length === this.capacity;
  }

  /** The i-th oldest item held. */
  at(i: number): T {
    return this.items[(this.start + i) % this.capacity]!;
  }

  push(item: T): void {
    if (!this.full) {
      this.items.push(item);
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
  }
}

class Sma implements IndicatorState {
  private readonly closes: Window<number>;
  private sum = 0;

  constructor(private readonly period: number) {
    this.closes = new Window(period);
  }

  next(bar: CandleRow, commit: boolean): number | undefined {
    // A running sum, as a batch pass over the bars would keep it: add the new close, drop the oldest.
    let sum = this.sum + bar.close;
    if (this.closes.full) sum -= this.closes.at(0);
    if (commit) {
      this.sum = sum;
      this.closes.push(bar.close);
    }
    return this.closes.size + (commit ? 0 : 1) >= this.period ? sum / this.period : undefined;
  }
}

class Ema implements IndicatorState {
  private readonly alpha: number;
  private seen = 0;
  /** The sum of closes while seeding, then the average itself. */
  private value = 0;

  constructor(private readonly period: number) {
    this.alpha = 2 / (period + 1);
  }

  next(bar: CandleRow, commit: boolean): number | undefined {
    const seen = this.seen + 1;
    let value: number;
    if (seen < this.period) value = this.value + bar.close;
    else if (seen === this.period) value = (this.value + bar.close) / this.period;
    else value = this.alpha * bar.close + (1 - this.alpha) * this.value;
    if (commit) {
      this.seen = seen;
      this.value = value;
    }
    return seen >= this.period ? value : undefined;
  }
}

class Rsi implements IndicatorState {
  private seen = 0;
  private previousClose = 0;
  /** Sums of gains and losses while seeding, then their smoothed averages. */
  private gain = 0;
  private loss = 0;

  constructor(private readonly period: number) {}

  next(bar: CandleRow, commit: boolean): number | undefined {
    const seen = this.seen + 1;
    let gain = this.gain;
    let loss = this.loss;
    if (seen > 1) {
      const d = bar.close - this.previousClose;
      if (seen <= this.period + 1) {
        if (d > 0) gain += d;
        else loss -= d;
        if (seen === this.period + 1) {
          gain /= this.period;
          loss /= this.period;
        }
      } else {
        gain = (gain * (this.period - 1) + Math.max(d, 0)) / this.period;
        loss = (loss * (this.period - 1) + Math.max(-d, 0)) / this.period;
      }
    }
    if (commit) {
      this.seen = seen;
      this.previousClose = bar.close;
      this.gain = gain;
      this.loss = loss;
    }
    if (seen <= this.period) return undefined;
    return loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss);
  }
}

/**
 * Running sums over the window, weighted both ways, and a count of bars with volume, so a bar
 * costs the same whatever the period. Volumes and tick counts are whole numbers in practice, so
 * the weights sum exactly; the price sums drift by rounding only (about 1e-16 a bar).
 */
class Vwap implements IndicatorState {
  private readonly bars: Window<CandleRow>;
  private byVolume = 0;
  private volume = 0;
  private byTicks = 0;
  private ticks = 0;
  private withVolume = 0;

  constructor(private readonly period: number) {
    this.bars = new Window(period);
  }

  next(bar: CandleRow, commit: boolean): number | undefined {
    const typical = (bar.high + bar.low + bar.close) / 3;
    let byVolume = this.byVolume + typical * bar.volume;
    let volume = this.volume + bar.volume;
    let byTicks = this.byTicks + typical * bar.tickCount;
    let ticks = this.ticks + bar.tickCount;
    let withVolume = this.withVolume + (bar.volume > 0 ? 1 : 0);
    if (this.bars.full) {
      const out = this.bars.at(0);
      const outTypical = (out.high + out.low + out.close) / 3;
      byVolume -= outTypical * out.volume;
      volume -= out.volume;
      byTicks -= outTypical * out.tickCount;
      ticks -= out.tickCount;
      withVolume -= out.volume > 0 ? 1 : 0;
    }
    if (commit) {
      this.bars.push(bar);
      this.byVolume = byVolume;
      this.volume = volume;
      this.byTicks = byTicks;
      this.ticks = ticks;
      this.withVolume = withVolume;
    }
    if (this.bars.size + (commit ? 0 : 1) < this.period) return undefined;
    // Weighted by volume where the window reports any (forex feeds report none), else by ticks.
    if (withVolume > 0) return byVolume / volume;
    return ticks > 0 ? byTicks / ticks : undefined;
  }
}
