import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  IndicatorType,
  type SubscribeIndicatorsResponse,
  TickService,
  Timeframe,
} from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { inMemoryApp, type TestApp } from "../harness/app.js";
import { streamReader } from "../harness/streams.js";
import { ingestDurable, tick } from "../harness/ticks.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SPECS = [
  { type: IndicatorType.SMA, period: 5 },
  { type: IndicatorType.EMA, period: 8 },
  { type: IndicatorType.RSI, period: 14 },
  { type: IndicatorType.VWAP, period: 3 },
];

const reader = (stream: AsyncIterable<SubscribeIndicatorsResponse>) =>
  streamReader(stream, (m) => [m.symbol, Number(m.timeMsc), m.closed, m.values.map((v) => v.value)]);

describe("SubscribeIndicators (embedded, in-memory transport)", () => {
  let t: TestApp;
  let ticks: Client<typeof TickService>;
  // Live bars in the future (ticks may be up to 7 days ahead): the clock never closes them mid-test.
  const P = Math.floor(Date.now() / HOUR) * HOUR + 3 * HOUR;

  beforeAll(async () => {
    t = await inMemoryApp();
    ticks = t.client(TickService);
  });
  afterAll(async () => t.close());

  const ingest = (id: string, list: ReturnType<typeof tick>[]) => ingestDurable(ticks, id, list);
  /** Three ticks in each of `n` M1 bars from `from`, prices wandering, volume on some. */
  const history = async (symbol: string, from: number, n: number) => {
    const list = [];
    for (let k = 0; k < n; k++) {
      for (const [j, offset] of [1_000, 20_000, 40_000].entries()) {
        const bid = 1.1 + 0.01 * Math.sin((3 * k + j) / 4) + 0.001 * (((k + j) * 7919) % 11);
        list.push(tick({ symbol, timeMsc: BigInt(from + k * MINUTE + offset), bid, ask: bid + 0.0002, volume: k % 4 === 0 ? 0 : j + 1 }));
      }
    }
    await ingest(`${symbol}-history`, list);
  };
  /** GetIndicators' last point of each series from `start` to the end of the bar opening at `open`. */
  const batchValuesAt = async (symbol: string, start: bigint, open: bigint) => {
    const { series } = await ticks.getIndicators({ symbol, timeframe: Timeframe.M1, startTimeMsc: start, endTimeMsc: open + BigInt(MINUTE), indicators: SPECS });
    return series.map((s) => s.points.at(-1));
  };
  const expectEqualToBatch = async (m: SubscribeIndicatorsResponse) => {
    const batch = await batchValuesAt(m.symbol, m.startTimeMsc, m.timeMsc);
    expect(m.values.map((v) => v.spec)).toEqual(SPECS.map((s) => expect.objectContaining(s)));
    for (const [i, v] of m.values.entries()) {
      expect(batch[i]?.timeMsc).toBe(m.timeMsc);
      expect(Math.abs(v.value! - batch[i]!.value)).toBeLessThanOrEqual(1e-9);
    }
  };

  it("first the values at the last closed bar, seeded from history, then at each close: equal to GetIndicators to 1e-9", async () => {
    const start = Math.floor(Date.now() / MINUTE) * MINUTE - 90 * MINUTE;
    await history("LI1", start, 85);
    const abort = new AbortController();
    const live = reader(ticks.subscribeIndicators({ symbols: ["LI1"], timeframe: Timeframe.M1, indicators: SPECS, startTimeMsc: BigInt(start) }, { signal: abort.signal }));
    const seeded = await live.next(() => true);
    expect(seeded).toMatchObject({ symbol: "LI1", closed: true, timeMsc: BigInt(start + 84 * MINUTE), startTimeMsc: BigInt(start) });
    await expectEqualToBatch(seeded);

    for (let k = 0; k < 4; k++) {
      const open = P + k * MINUTE;
      await ingest(`li1-live-${k}`, [
        tick({ symbol: "LI1", timeMsc: BigInt(open + 5_000), bid: 1.12 + k / 1000, ask: 1.13, volume: 2 }),
        tick({ symbol: "LI1", timeMsc: BigInt(open + 1_000), bid: 1.11 - k / 500, ask: 1.12, volume: 1 }),
      ]);
    }
    // The fourth bar is still forming: three closes, each once, in order.
    for (let k = 0; k < 3; k++) await expectEqualToBatch(await live.next((m) => m.timeMsc === BigInt(P + k * MINUTE)));
    expect(live.seen.map((m) => [Number(m.timeMsc) - P, m.closed])).toEqual([[start + 84 * MINUTE - P, true], [0, true], [MINUTE, true], [2 * MINUTE, true]]);
    abort.abort();
  });

  it("without a start, history reaches back 20 x the largest period of bars; values still equal GetIndicators from the start it reports", async () => {
    const start = Math.floor(Date.now() / MINUTE) * MINUTE - 400 * MINUTE;
    await history("LI2", start, 395);
    const abort = new AbortController();
    const live = reader(ticks.subscribeIndicators({ symbols: ["LI2"], timeframe: Timeframe.M1, indicators: SPECS }, { signal: abort.signal }));
    const seeded = await live.next(() => true);
    const liveFrom = Math.floor(Date.now() / MINUTE) * MINUTE;
    expect([liveFrom - 20 * 14 * MINUTE, liveFrom - 20 * 14 * MINUTE - MINUTE]).toContain(Number(seeded.startTimeMsc));
    await expectEqualToBatch(seeded);
    abort.abort();
  });

  it("intrabar: provisional values of the forming bar as it changes, equal to GetIndicators over the bar so far", async () => {
    const start = Math.floor(Date.now() / MINUTE) * MINUTE - 60 * MINUTE;
    await history("LI3", start, 50);
    const abort = new AbortController();
    const live = reader(ticks.subscribeIndicators({ symbols: ["LI3"], timeframe: Timeframe.M1, indicators: SPECS, startTimeMsc: BigInt(start), intrabar: true, updateIntervalMs: 10 }, { signal: abort.signal }));
    await live.next((m) => m.closed);
    await ingest("li3-a", [tick({ symbol: "LI3", timeMsc: BigInt(P + 1_000), bid: 1.3, ask: 1.31, volume: 3 })]);
    const first = await live.next((m) => !m.closed && m.timeMsc === BigInt(P));
    await expectEqualToBatch(first);
    await ingest("li3-b", [tick({ symbol: "LI3", timeMsc: BigInt(P + 2_000), bid: 0.9, ask: 0.91, volume: 1 })]);
    const second = await live.next((m) => !m.closed && m.timeMsc === BigInt(P) && m.values[0]!.value !== first.values[0]!.value);
    await expectEqualToBatch(second);
    abort.abort();
  });

  it("a symbol without history sends nothing until its first close, and values stay unset until the look-back is filled", async () => {
    const abort = new AbortController();
    const live = reader(ticks.subscribeIndicators({ symbols: ["LI4"], timeframe: Timeframe.M1, indicators: [{ type: IndicatorType.SMA, period: 2 }] }, { signal: abort.signal }));
    await new Promise((r) => setTimeout(r, 100));
    expect(live.seen).toEqual([]);
    for (let k = 0; k < 3; k++) await ingest(`li4-${k}`, [tick({ symbol: "LI4", timeMsc: BigInt(P + k * MINUTE), bid: 1 + k, ask: 5 })]);
    const firstClose = await live.next((m) => m.timeMsc === BigInt(P));
    expect(firstClose.values[0]!.value).toBeUndefined();
    const secondClose = await live.next((m) => m.timeMsc === BigInt(P + MINUTE));
    expect(secondClose.values[0]!.value).toBe(1.5);
    abort.abort();
  });

  it("refuses bad requests with INVALID_ARGUMENT naming the field", async () => {
    const refused = async (req: Parameters<typeof ticks.subscribeIndicators>[0]) => {
      try {
        for await (const _ of ticks.subscribeIndicators(req)) break;
      } catch (e) {
        return ConnectError.from(e);
      }
      throw new Error("accepted");
    };
    const ok = { symbols: ["LI5"], timeframe: Timeframe.M1, indicators: [{ type: IndicatorType.SMA, period: 5 }] };
    const cases: [Parameters<typeof ticks.subscribeIndicators>[0], string][] = [
      [{ ...ok, symbols: [] }, "symbols"],
      [{ ...ok, symbols: Array.from({ length: 101 }, (_, i) => `S${i}`) }, "symbols"],
      [{ ...ok, timeframe: Timeframe.UNSPECIFIED }, "timeframe"],
      [{ ...ok, timeframe: 42 as Timeframe }, "timeframe"],
      [{ ...ok, indicators: [{ type: 99 as IndicatorType, period: 5 }] }, "indicators[0].type"],
      [{ ...ok, indicators: [{ type: IndicatorType.EMA, period: 1001 }] }, "indicators[0].period"],
      [{ ...ok, indicators: [] }, "indicators"],
      [{ ...ok, intrabar: true, updateIntervalMs: 5 }, "update_interval_ms"],
    ];
    for (const [req, field] of cases) {
      const err = await refused(req);
      expect(err.code, field).toBe(Code.InvalidArgument);
      expect(err.message).toContain(field);
    }
  });
});
