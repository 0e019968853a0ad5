import { describe, expect, it } from "vitest";
import { computeIndicator, type IndicatorKind, indicatorState } from "../../src/domain/indicators.js";
import type { CandleRow } from "../../src/ports/tick-store.js";

/** Bars with a deterministic wander, some with no volume (forex feeds), one flat stretch. */
function bars(n: number): CandleRow[] {
  return Array.from({ length: n }, (_, i) => {
    const close = i >= 20 && i < 26 ? 1.2 : 1.1 + 0.01 * Math.sin(i / 3) + 0.002 * ((i * 7919) % 13);
    return { openTimeMsc: i * 60_000, open: close - 0.001, high: close + 0.002, low: close - 0.003, close, volume: i % 4 === 0 ? 0 : (i % 5) + 1, tickCount: (i % 7) + 1 };
  });
}

const KINDS: IndicatorKind[] = ["sma", "ema", "rsi", "vwap"];

describe("indicators fed one bar at a time", () => {
  it.each(KINDS.flatMap((k) => [1, 2, 5, 14].map((p) => [k, p] as const)))("%s(%i): a forming bar's provisional value is exactly the batch value with that bar closed", (kind, period) => {
    const all = bars(60);
    const state = indicatorState(kind, period);
    let compared = 0;
    for (let k = 0; k < all.length; k++) {
      const batch = computeIndicator(kind, period, all.slice(0, k + 1)).at(-1);
      const provisional = state.next(all[k]!, false);
      const final = state.next(all[k]!, true);
      expect(provisional).toBe(final);
      if (batch?.timeMsc === all[k]!.openTimeMsc) {
        expect(final).toBe(batch.value);
        compared++;
      } else {
        expect(final).toBeUndefined();
      }
    }
    expect(compared).toBeGreaterThan(40);
  });

  it("a provisional value changes nothing: the next bars give what they would have without it", () => {
    const all = bars(30);
    for (const kind of KINDS) {
      const peeked = indicatorState(kind, 5);
      const plain = indicatorState(kind, 5);
      for (const b of all) {
        peeked.next({ ...b, close: b.close * 2, volume: 99 }, false);
        expect(peeked.next(b, true)).toBe(plain.next(b, true));
      }
    }
  });
});
