import { createHash } from "node:crypto";
import type { CandleRow } from "../ports/tick-store.js";
import type { CollectionSpec, VectorRecord } from "../ports/vector-store.js";
import type { BarSeries } from "./bars-from-ticks.js";
import { indicatorState } from "./indicators.js";

/**
 * The pattern recipe, version 1: what a window of bars becomes as a vector.
 *
 * - The window: the last WINDOW closed bars of a series (and the bar before them, for the first
 *   return), ending with the bar that just closed. Bars with no ticks are absent, as in GetCandles.
 * - WINDOW components: the log returns of the closes, z-scored over the window (minus their mean,
 *   over their standard deviation; all zero when the window did not move), so the shape counts and
 *   neither the price level nor the volatility does.
 * - One component: where the last close sits in the window's high-low range, scaled to [-1, 1].
 * - One component: RSI(14) of the window's closes, scaled to [-1, 1] ((rsi - 50) / 50).
 * Compared by cosine distance. The outcome of a pattern is the return from its last close to the
 * close HORIZON bars later, filled in once that bar has closed.
 *
 * A change to any of this is a new version: a new RECIPE name and a collection of its own, since
 * vectors of two recipes are not comparable.
 */
export const RECIPE = { name: "zret32-pos-rsi14-v1", window: 32, horizon: 8 } as const;
const RSI_PERIOD = 14;

export const PATTERN_DIMENSION = RECIPE.window + 2;

/** Where patterns of this recipe are kept (the seed's TechnicalPattern holds 384-dim text embeddings). */
export const PATTERN_COLLECTION: CollectionSpec = {
  name: "PricePatternV1",
  dimension: PATTERN_DIMENSION,
  metric: "cosine",
  properties: [
    { name: "symbol", type: "text" },
    { name: "broker", type: "text" },
    { name: "timeframe_ms", type: "int" },
    { name: "price", type: "text" },
    { name: "recipe", type: "text" },
    { name: "window_end", type: "date" },
    { name: "last_close", type: "number" },
    { name: "outcome_known", type: "boolean" },
    { name: "outcome", type: "number" },
  ],
};

/** Bars a pattern needs: the window and the bar before it. */
export const BARS_PER_PATTERN = RECIPE.window + 1;

/** The vector of the window ending with the last of `bars` (oldest first), or undefined with too few bars. */
export function patternVector(bars: readonly CandleRow[]): Float32Array | undefined {
  if (bars.length < BARS_PER_PATTERN) return undefined;
  const window = bars.slice(-BARS_PER_PATTERN);
  const out = new Float32Array(PATTERN_DIMENSION);
  const returns = new Float64Array(RECIPE.window);
  for (let i = 0; i < RECIPE.window; i++) returns[i] = Math.log(window[i + 1]!.close / window[i]!.close);
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / returns.length);
  for (let i = 0; i < RECIPE.window; i++) out[i] = std > 0 ? (returns[i]! - mean) / std : 0;
  const inWindow = window.slice(1);
  const high = Math.max(...inWindow.map((b) => b.high));
  const low = Math.min(...inWindow.map((b) => b.low));
  const last = inWindow.at(-1)!.close;
  out[RECIPE.window] = high > low ? (2 * (last - low)) / (high - low) - 1 : 0;
  const rsi = indicatorState("rsi", RSI_PERIOD);
  let value: number | undefined;
  for (const b of inWindow) value = rsi.next(b, true);
  out[RECIPE.window + 1] = ((value ?? 50) - 50) / 50;
  return out;
}

/** The return from a window's last close to the close `horizon` bars later. */
export const outcomeOf = (lastClose: number, laterClose: number) => laterClose / lastClose - 1;

/**
 * A pattern's id: the same window of the same series gets the same id on every replica and every
 * run, so writing it again (a second replica, a backfill rerun) replaces it instead of adding one.
 */
export function patternId(series: BarSeries, windowEndMsc: number): string {
  const h = createHash("sha1").update(`${RECIPE.name}|${series.symbol}|${series.broker ?? "*"}|${series.timeframeMs}|${series.price}|${windowEndMsc}`).digest();
  // Shaped as a name-based (version 5) UUID, which Weaviate requires of ids.
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export type PatternFields = { windowEndMsc: number; lastClose: number; outcome: number | undefined };

/** The stored properties of a pattern. */
export function patternProperties(series: BarSeries, p: PatternFields) {
  return {
    symbol: series.symbol,
    broker: series.broker ?? "*",
    timeframe_ms: series.timeframeMs,
    price: series.price,
    recipe: RECIPE.name,
    window_end: p.windowEndMsc,
    last_close: p.lastClose,
    outcome_known: p.outcome !== undefined,
    outcome: p.outcome ?? 0,
  };
}

/**
 * The stored pattern of the window ending with `bars[at]` (oldest first), with its outcome if
 * known; undefined when fewer than BARS_PER_PATTERN bars end there. The writer and the backfill
 * both store patterns this way.
 */
export function patternRecord(series: BarSeries, bars: readonly CandleRow[], at: number, outcome: number | undefined): VectorRecord | undefined {
  const vector = at >= BARS_PER_PATTERN - 1 ? patternVector(bars.slice(at + 1 - BARS_PER_PATTERN, at + 1)) : undefined;
  if (!vector) return undefined;
  const last = bars[at]!;
  const windowEndMsc = last.openTimeMsc + series.timeframeMs;
  return { id: patternId(series, windowEndMsc), vector, properties: patternProperties(series, { windowEndMsc, lastClose: last.close, outcome }) };
}
