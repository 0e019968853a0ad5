import { describe, expect, it } from "vitest";
import { BARS_PER_PATTERN, PATTERN_DIMENSION, patternId, patternVector } from "../../src/domain/patterns.js";
import type { CandleRow } from "../../src/ports/tick-store.js";

const bar = (i: number, close: number): CandleRow => ({ openTimeMsc: i * 60_000, open: close, high: close * 1.001, low: close * 0.999, close, volume: 1, tickCount: 1 });
const wave = (n: number, scale = 1) => Array.from({ length: n }, (_, i) => bar(i, scale * (1.1 + 0.01 * Math.sin(i / 3) + 0.003 * Math.cos(i / 1.7))));

describe("the pattern recipe (v1)", () => {
  it("needs a window and the bar before it; gives one vector of the recipe's dimension", () => {
    expect(patternVector(wave(BARS_PER_PATTERN - 1))).toBeUndefined();
    const v = patternVector(wave(BARS_PER_PATTERN))!;
    expect(v).toHaveLength(PATTERN_DIMENSION);
    expect([...v].every(Number.isFinite)).toBe(true);
    // Only the last window counts: more history before it changes nothing.
    expect(patternVector(wave(BARS_PER_PATTERN + 10).slice(10))).toEqual(patternVector([...wave(10), ...wave(BARS_PER_PATTERN + 10).slice(10)]));
  });

  it("is the shape, not the price level or the volatility: scaled prices give the same vector", () => {
    const v = patternVector(wave(40))!;
    const scaled = patternVector(wave(40, 1000))!;
    for (let i = 0; i < v.length; i++) expect(scaled[i]).toBeCloseTo(v[i]!, 5);
    // The z-scored returns have mean 0 and unit spread.
    const returns = [...v.slice(0, 32)];
    expect(returns.reduce((a, b) => a + b, 0) / 32).toBeCloseTo(0, 5);
    expect(Math.sqrt(returns.reduce((a, r) => a + r * r, 0) / 32)).toBeCloseTo(1, 5);
  });

  it("a window that did not move is all zeros (no direction, mid-range, RSI 50)", () => {
    const flat = Array.from({ length: BARS_PER_PATTERN }, (_, i) => ({ ...bar(i, 1.2), high: 1.2, low: 1.2 }));
    expect([...patternVector(flat)!]).toEqual(new Array(PATTERN_DIMENSION).fill(0));
  });

  it("ids are UUIDs, the same for the same window of the same series, different otherwise", () => {
    const s = { symbol: "EURUSD", broker: undefined, timeframeMs: 60_000, price: "bid" as const };
    const id = patternId(s, 1_000);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(patternId({ ...s }, 1_000)).toBe(id);
    expect(new Set([id, patternId(s, 61_000), patternId({ ...s, symbol: "GBPUSD" }, 1_000), patternId({ ...s, broker: "A" }, 1_000), patternId({ ...s, price: "ask" }, 1_000)]).size).toBe(5);
  });
});
