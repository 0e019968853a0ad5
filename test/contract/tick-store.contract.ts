import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { TickColumnsSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { tickArrays } from "../../src/client.js";
import { blockFromTicks } from "../../src/tick-block/proto-codec.js";
import type { TickStore } from "../../src/ports/tick-store.js";
import { uniqueSuffix } from "../harness/backends.js";
import { tick } from "../harness/ticks.js";

export type TickStoreFixture = {
  store: TickStore;
  /** Closes and opens the store again over the same data, when the adapter can. */
  reopen?: () => Promise<TickStore>;
  cleanup(): Promise<void>;
};

const MIN = 60_000;

/**
 * What every TickStore adapter must do. Each test uses symbols of its own, so adapters that
 * share a database between tests stay independent.
 */
export function tickStoreContract(name: string, open: () => Promise<TickStoreFixture>): void {
  describe(`TickStore contract: ${name}`, () => {
    let fx: TickStoreFixture;
    let store: TickStore;
    const sym = () => `T${uniqueSuffix()}`.slice(0, 30).toUpperCase();

    beforeAll(async () => {
      fx = await open();
      store = fx.store;
    });
    afterAll(async () => fx?.cleanup());

    it("stores a batch and returns the newest ticks first", async () => {
      const symbol = sym();
      const t0 = Date.now() - 10_000;
      const ticks = [0, 1, 2, 3].map((i) => tick({ symbol, timeMsc: BigInt(t0 + i), bid: 1 + i, ask: 2 + i }));
      expect(await store.insert(`b-${symbol}`, blockFromTicks(ticks))).toBe("stored");
      const recent = await store.recent(symbol, undefined, 3);
      expect(recent.map((r) => r.timeMsc)).toEqual([t0 + 3, t0 + 2, t0 + 1]);
      expect(recent[0]).toMatchObject({ symbol, broker: "ICMarkets", bid: 4, ask: 5, accountType: 2, flags: 6, volume: 1 });
    });

    it("stores a retried batch id once", async () => {
      const symbol = sym();
      const block = blockFromTicks([tick({ symbol }), tick({ symbol, timeMsc: BigInt(Date.now() - 1) })]);
      expect(await store.insert(`retry-${symbol}`, block)).toBe("stored");
      expect(await store.insert(`retry-${symbol}`, block)).toBe("duplicate");
      expect(await store.recent(symbol, undefined, 10)).toHaveLength(2);
    });

    it("filters by broker", async () => {
      const symbol = sym();
      await store.insert(`brk-${symbol}`, blockFromTicks([tick({ symbol, broker: "A" }), tick({ symbol, broker: "B" }), tick({ symbol, broker: "B" })]));
      expect(await store.recent(symbol, "B", 10)).toHaveLength(2);
      expect(await store.recent(symbol, "A", 10)).toHaveLength(1);
      expect(await store.recent(symbol, "C", 10)).toHaveLength(0);
    });

    it("streams a time range oldest first, in chunks, end exclusive", async () => {
      const symbol = sym();
      const t0 = Date.now() - 100_000;
      const ticks = Array.from({ length: 25 }, (_, i) => tick({ symbol, timeMsc: BigInt(t0 + i * 10) }));
      // Out of order on purpose: the range must still come back sorted.
      await store.insert(`rng-${symbol}`, blockFromTicks([...ticks].reverse()));
      const chunks: number[][] = [];
      for await (const chunk of store.range({ symbol, broker: undefined, startMsc: t0 + 20, endMsc: t0 + 200, chunkSize: 7 })) {
        expect(chunk.length).toBeLessThanOrEqual(7);
        chunks.push(chunk.map((r) => r.timeMsc - t0));
      }
      expect(chunks.flat()).toEqual(Array.from({ length: 18 }, (_, i) => 20 + i * 10));
    });

    it("reads the same range in columns: the same ticks, order and values as rows, in chunks, per broker or all", async () => {
      const symbol = sym();
      const t0 = Date.now() - 200_000;
      const ticks = Array.from({ length: 40 }, (_, i) =>
        tick({ symbol, broker: i % 3 === 0 ? "Alpha" : "Beta Prime", timeMsc: BigInt(t0 + i * 10), bid: 1 + i / 8, ask: 2 + i / 8, last: i, volume: i / 4, flags: i, accountType: 1 + (i % 3) }),
      );
      await store.insert(`col-${symbol}`, blockFromTicks([...ticks].reverse()));
      for (const broker of [undefined, "Beta Prime", "Nobody"]) {
        const q = { symbol, broker, startMsc: t0 + 15, endMsc: t0 + 355, chunkSize: 8 };
        const rows = [];
        for await (const chunk of store.range(q)) rows.push(...chunk);
        const fromColumns = [];
        for await (const c of store.rangeColumns(q)) {
          expect(c.length).toBeGreaterThan(0);
          expect(c.length).toBeLessThanOrEqual(8);
          const a = tickArrays(create(TickColumnsSchema, c));
          for (let i = 0; i < c.length; i++) {
            fromColumns.push({
              symbol: a.symbols[a.symbolIndex[i]!],
              broker: a.brokers[a.brokerIndex[i]!],
              accountType: a.accountType[i],
              timeMsc: Number(a.timeMsc[i]),
              bid: a.bid[i],
              ask: a.ask[i],
              last: a.last[i],
              volume: a.volume[i],
              flags: a.flags[i],
            });
          }
        }
        expect(fromColumns).toEqual(rows);
        expect(rows.length).toBe(broker === "Nobody" ? 0 : broker === undefined ? 34 : 23);
      }
    });

    it("answers as of a time: the last tick at or before it of every series, ordered by symbol and broker", async () => {
      const [a, b, quiet] = [sym(), sym(), sym()];
      const t = Date.now() - 5 * 86_400_000;
      await store.insert(
        `asof-${a}`,
        blockFromTicks([
          tick({ symbol: a, broker: "X", timeMsc: BigInt(t - 10), bid: 1 }),
          tick({ symbol: a, broker: "X", timeMsc: BigInt(t), bid: 2 }),
          tick({ symbol: a, broker: "X", timeMsc: BigInt(t + 1), bid: 3 }),
          tick({ symbol: a, broker: "Y", timeMsc: BigInt(t - 2 * 86_400_000), bid: 4 }),
          tick({ symbol: b, broker: "X", timeMsc: BigInt(t - 40 * 86_400_000), bid: 5 }),
          tick({ symbol: quiet, broker: "X", timeMsc: BigInt(t + 5), bid: 6 }),
        ]),
      );
      const asOf = async (broker?: string) => (await store.asOf({ symbols: [quiet, b, a], broker, timeMsc: t })).map((r) => [r.symbol, r.broker, r.timeMsc - t, r.bid]);
      // a/X at the time itself, a/Y two days back, b forty days back, none for quiet (its tick is after the time).
      expect(await asOf()).toEqual([[a, "X", 0, 2], [a, "Y", -2 * 86_400_000, 4], [b, "X", -40 * 86_400_000, 5]].sort((x, y) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : 0)));
      expect(await asOf("Y")).toEqual([[a, "Y", -2 * 86_400_000, 4]]);
    });

    it("replays several series merged in one order, the same on every read, skipping what a resume already has", async () => {
      const [a, b] = [sym(), sym()];
      const t0 = Date.now() - 300_000;
      // Equal times across series and an identical pair: the order must still be total.
      const ticks = [
        ...Array.from({ length: 30 }, (_, i) => tick({ symbol: a, broker: i % 2 ? "P" : "Q", timeMsc: BigInt(t0 + Math.floor(i / 3)), bid: 1 + i, ask: 2 + i })),
        ...Array.from({ length: 20 }, (_, i) => tick({ symbol: b, broker: "P", timeMsc: BigInt(t0 + Math.floor(i / 2)), bid: 1 + (i % 4), ask: 9 })),
      ];
      await store.insert(`replay-${a}`, blockFromTicks([...ticks].reverse()));
      const read = async (skip: number, brokers: string[] = []) => {
        const out: string[] = [];
        for await (const c of store.replay({ symbols: [b, a], brokers, startMsc: t0, endMsc: t0 + 9, chunkSize: 7, skip })) {
          expect(c.length).toBeLessThanOrEqual(7);
          const x = tickArrays(create(TickColumnsSchema, c));
          for (let i = 0; i < c.length; i++) out.push(`${Number(x.timeMsc[i]) - t0} ${x.symbols[x.symbolIndex[i]!]} ${x.brokers[x.brokerIndex[i]!]} ${x.bid[i]} ${x.ask[i]}`);
        }
        return out;
      };
      const all = await read(0);
      expect(all).toHaveLength(27 + 18); // times t0 .. t0+8 of each series
      const times = all.map((line) => Number(line.split(" ")[0]));
      expect(times).toEqual([...times].sort((x, y) => x - y));
      expect(await read(0)).toEqual(all);
      expect(await read(11)).toEqual(all.slice(11));
      expect((await read(0, ["Q"])).every((line) => line.includes(" Q "))).toBe(true);
    });

    it("replays one series in the same total order (time, then values), resuming exactly", async () => {
      const s = sym();
      const t0 = Date.now() - 300_000;
      // Three ticks at each of four times, their bids stored out of order.
      const ticks = Array.from({ length: 12 }, (_, i) => tick({ symbol: s, broker: "P", timeMsc: BigInt(t0 + Math.floor(i / 3)), bid: 3 - (i % 3), ask: 9 }));
      await store.insert(`replay1-${s}`, blockFromTicks([...ticks].reverse()));
      const read = async (skip: number, brokers: string[]) => {
        const out: string[] = [];
        for await (const c of store.replay({ symbols: [s], brokers, startMsc: t0, endMsc: t0 + 4, chunkSize: 5, skip })) {
          const x = tickArrays(create(TickColumnsSchema, c));
          for (let i = 0; i < c.length; i++) out.push(`${Number(x.timeMsc[i]) - t0} ${x.symbols[x.symbolIndex[i]!]} ${x.brokers[x.brokerIndex[i]!]} ${x.bid[i]}`);
        }
        return out;
      };
      const expected = [0, 1, 2, 3].flatMap((t) => [1, 2, 3].map((bid) => `${t} ${s} P ${bid}`));
      expect(await read(0, ["P"])).toEqual(expected);
      // The broker found in the range rather than named: the same series, the same order.
      expect(await read(0, [])).toEqual(expected);
      expect(await read(7, ["P"])).toEqual(expected.slice(7));
    });

    it("computes OHLCV candles per timeframe from the chosen price", async () => {
      const symbol = sym();
      const base = Math.floor((Date.now() - 3_600_000) / (5 * MIN)) * 5 * MIN;
      // Bar 1: bids 1.0, 3.0, 2.0 (in time order); bar 2 (5 min later): bids 5.0, 4.0.
      const rows = [
        { t: base + 1000, bid: 1, ask: 1.5, volume: 1 },
        { t: base + 2000, bid: 3, ask: 3.5, volume: 2 },
        { t: base + 3000, bid: 2, ask: 2.5, volume: 3 },
        { t: base + 5 * MIN + 10, bid: 5, ask: 5.5, volume: 4 },
        { t: base + 5 * MIN + 20, bid: 4, ask: 4.5, volume: 5 },
      ];
      await store.insert(`cnd-${symbol}`, blockFromTicks(rows.map((r) => tick({ symbol, timeMsc: BigInt(r.t), bid: r.bid, ask: r.ask, volume: r.volume }))));
      const q = { symbol, broker: undefined, timeframeMs: 5 * MIN, startMsc: base, endMsc: base + 10 * MIN, limit: 100 };
      expect(await store.candles({ ...q, price: "bid" })).toEqual([
        { openTimeMsc: base, open: 1, high: 3, low: 1, close: 2, volume: 6, tickCount: 3 },
        { openTimeMsc: base + 5 * MIN, open: 5, high: 5, low: 4, close: 4, volume: 9, tickCount: 2 },
      ]);
      const mid = await store.candles({ ...q, price: "mid" });
      expect(mid[0]).toMatchObject({ open: 1.25, high: 3.25, low: 1.25, close: 2.25 });
      expect(await store.candles({ ...q, price: "bid", limit: 1 })).toHaveLength(1);
      expect((await store.candles({ ...q, price: "bid", timeframeMs: MIN })).map((c) => c.tickCount)).toEqual([3, 2]);
    });

    it("keeps hostile strings as data", async () => {
      const symbol = sym();
      const broker = `x'); DROP TABLE ticks; --\\"\u0000`;
      await store.insert(`hst-${symbol}`, blockFromTicks([tick({ symbol, broker })]));
      const [row] = await store.recent(symbol, broker, 1);
      expect(row?.broker).toBe(broker);
      expect(await store.recent(symbol, undefined, 10)).toHaveLength(1);
    });

    it("keeps acknowledged ticks and batch ids across a reopen", async ({ skip }) => {
      if (!fx.reopen) return skip("adapter keeps data in memory only");
      const symbol = sym();
      const block = blockFromTicks([tick({ symbol })]);
      await store.insert(`dur-${symbol}`, block);
      store = await fx.reopen();
      expect(await store.recent(symbol, undefined, 10)).toHaveLength(1);
      expect(await store.insert(`dur-${symbol}`, block)).toBe("duplicate");
    });
  });
}
