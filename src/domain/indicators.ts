import type { CandleRow } from "../ports/tick-store.js";

export type IndicatorKind = "sma" | "ema" | "rsi" | "vwap";
export type IndicatorPoint = { timeMsc: number; value: number };

/**
 * Indicators over bars, oldest first. Bars before the look-back is filled get no value.
 * - SMA: mean of the last `period` closes.
 * - EMA: alpha = 2 / (period + 1), seeded with the SMA of the first `period` closes.
 * - RSI: Wilder's smoothing of gains and losses over `period` changes; 100 when there were no
 *   losses, 50 when there was no movement at all.
 * - VWAP: over the last `period` bars, sum(typical price x weight) / sum(weight), typical price
 *   (high + low + close) / 3, weight the bar's volume, or its tick count where no volume is
 *   reported (forex feeds).
 */
export function computeIndicator(kind: IndicatorKind, period: number, bars: readonly CandleRow[]): IndicatorPoint[] {
  switch (kind) {
    case "sma":
      return sma(period, bars);
    case "ema":
      return ema(period, bars);
    case "rsi":
      return rsi(period, bars);
    case "vwap":
      return vwap(period, bars);
  }
}

function sma(period: number, bars: readonly CandleRow[]): IndicatorPoint[] {
  const out: IndicatorPoint[] = [];
  let sum = 0;
  for (let i = 0; i < bars.length; i++) {
    sum += bars[i]!.close;
    if (i >= period) sum -= bars[i - period]!.close;
    if (i >= period - 1) out.push({ timeMsc: bars[i]!.openTimeMsc, value: sum / period });
  }
  return out;
}

function ema(period: number, bars: readonly CandleRow[]): IndicatorPoint[] {
  if (bars.length < period) return [];
  const alpha = 2 / (period + 1);
  let value = 0;
  for (let i = 0; i < period; i++) value += bars[i]!.close;
  value /= period;
  const out: IndicatorPoint[] = [{ timeMsc: bars[period - 1]!.openTimeMsc, value }];
  for (let i = period; i < bars.length; i++) {
    value = alpha * bars[i]!.close + (1 - alpha) * value;
    out.push({ timeMsc: bars[i]!.openTimeMsc, value });
  }
  return out;
}

function rsi(period: number, bars: readonly CandleRow[]): IndicatorPoint[] {
  if (bars.length <= period) return [];
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const d = bars[i]!.close - bars[i - 1]!.close;
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= period;
  loss /= period;
  const value = () => (loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss));
  const out: IndicatorPoint[] = [{ timeMsc: bars[period]!.openTimeMsc, value: value() }];
  for (let i = period + 1; i < bars.length; i++) {
    const d = bars[i]!.close - bars[i - 1]!.close;
    gain = (gain * (period - 1) + Math.max(d, 0)) / period;
    loss = (loss * (period - 1) + Math.max(-d, 0)) / period;
    out.push({ timeMsc: bars[i]!.openTimeMsc, value: value() });
  }
  return out;
}

function vwap(period: number, bars: readonly CandleRow[]): IndicatorPoint[] {
  const out: IndicatorPoint[] = [];
  for (let i = period - 1; i < bars.length; i++) {
    let pv = 0;
    let w = 0;
    const window = bars.slice(i - period + 1, i + 1);
    const useVolume = window.some((b) => b.volume > 0);
    for (const b of window) {
      const weight = useVolume ? b.volume : b.tickCount;
      pv += ((b.high + b.low + b.close) / 3) * weight;
      w += weight;
    }
    if (w > 0) out.push({ timeMsc: bars[i]!.openTimeMsc, value: pv / w });
  }
  return out;
}
