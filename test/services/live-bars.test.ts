import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PriceSource, type SubscribeCandlesResponse, TickService, Timeframe } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { inMemoryApp, type TestApp } from "../harness/app.js";
import { streamReader } from "../harness/streams.js";
import { ingestDurable, tick } from "../harness/ticks.js";

const HOUR = 3_600_000;

/** Reads a live-bar stream in the background; `next(match)` waits for the first update that matches. */
const reader = (stream: AsyncIterable<SubscribeCandlesResponse>) =>
  streamReader(stream, (m) => [m.symbol, Number(m.candle?.openTimeMsc), m.closed, Number(m.candle?.tickCount)]);

describe("SubscribeCandles (embedded, in-memory transport)", () => {
  let t: TestApp;
  let ticks: Client<typeof TickService>;
  // Bars in the future (ticks may be up to 7 days ahead): the clock never closes them mid-test.
  const P = Math.floor(Date.now() / HOUR) * HOUR + 3 * HOUR;

  beforeAll(async () => {
    t = await inMemoryApp();
    ticks = t.client(TickService);
  });
  afterAll(async () => t.close());

  const ingest = (id: string, list: ReturnType<typeof tick>[]) => ingestDurable(ticks, id, list);
  const candle = async (symbol: string, open: number, price = PriceSource.BID) =>
    (await ticks.getCandles({ symbol, timeframe: Timeframe.H1, startTimeMsc: BigInt(open), endTimeMsc: BigInt(open + HOUR), priceSource: price })).candles[0];

  it("streams the forming bar as ticks arrive, then the closed bar once, equal to GetCandles", async () => {
    const abort = new AbortController();
    const bars = reader(ticks.subscribeCandles({ symbols: ["LB1"], timeframe: Timeframe.H1, updateIntervalMs: 10 }, { signal: abort.signal }));
    await new Promise((r) => setTimeout(r, 100));
    await ingest("lb1-a", [tick({ symbol: "LB1", timeMsc: BigInt(P + 1000), bid: 1.5, ask: 1.6, volume: 2 }), tick({ symbol: "LB1", timeMsc: BigInt(P + 500), bid: 1.4, ask: 1.6, volume: 1 })]);
    const forming = await bars.next((m) => !m.closed && m.candle?.tickCount === 2n);
    expect(forming.candle).toMatchObject({ openTimeMsc: BigInt(P), open: 1.4, close: 1.5, high: 1.5, low: 1.4, volume: 3, tickCount: 2n });
    await ingest("lb1-b", [tick({ symbol: "LB1", timeMsc: BigInt(P + 2000), bid: 1.2, ask: 1.3 }), tick({ symbol: "LB1", timeMsc: BigInt(P + 3000), bid: 1.45, ask: 1.5 })]);
    // A tick of the next hour closes the bar.
    await ingest("lb1-c", [tick({ symbol: "LB1", timeMsc: BigInt(P + HOUR + 10), bid: 1.3, ask: 1.4 })]);
    const closed = await bars.next((m) => m.closed);
    expect(closed.candle).toEqual(await candle("LB1", P));
    expect(bars.seen.filter((m) => m.closed)).toHaveLength(1);
    const next = await bars.next((m) => !m.closed && m.candle?.openTimeMsc === BigInt(P + HOUR));
    expect(next.candle?.tickCount).toBe(1n);
    abort.abort();
  });

  it("a subscriber joining mid-bar first gets the bar so far; a late tick reaches GetCandles, not the closed live bar", async () => {
    await ingest("lb2-a", [1, 2, 3].map((i) => tick({ symbol: "LB2", timeMsc: BigInt(P + i * 1000), bid: 1 + i / 10, ask: 2, volume: i })));
    const abort = new AbortController();
    const bars = reader(ticks.subscribeCandles({ symbols: ["LB2"], timeframe: Timeframe.H1, priceSource: PriceSource.MID }, { signal: abort.signal }));
    const first = await bars.next(() => true);
    expect(first.closed).toBe(false);
    expect(first.candle).toEqual(await candle("LB2", P, PriceSource.MID));
    await ingest("lb2-b", [tick({ symbol: "LB2", timeMsc: BigInt(P + HOUR), bid: 1, ask: 2 })]);
    const closed = await bars.next((m) => m.closed);
    expect(closed.candle).toEqual(await candle("LB2", P, PriceSource.MID));
    // Late: its bar has closed. Stored (GetCandles counts it), not applied to the live bar.
    await ingest("lb2-late", [tick({ symbol: "LB2", timeMsc: BigInt(P + 4000), bid: 1.9, ask: 2 })]);
    expect((await candle("LB2", P, PriceSource.MID))?.tickCount).toBe(4n);
    await new Promise((r) => setTimeout(r, 400));
    expect(bars.seen.filter((m) => m.candle?.openTimeMsc === BigInt(P)).every((m) => m.candle!.tickCount <= 3n)).toBe(true);
    abort.abort();
  });

  it("one bar per symbol over every broker, or one broker's only", async () => {
    const abort = new AbortController();
    const all = reader(ticks.subscribeCandles({ symbols: ["LB3"], timeframe: Timeframe.H1, updateIntervalMs: 10 }, { signal: abort.signal }));
    const one_ = reader(ticks.subscribeCandles({ symbols: ["LB3"], broker: "Alpha", timeframe: Timeframe.H1, updateIntervalMs: 10 }, { signal: abort.signal }));
    await new Promise((r) => setTimeout(r, 100));
    await ingest("lb3", [tick({ symbol: "LB3", broker: "Alpha", timeMsc: BigInt(P + 1) }), tick({ symbol: "LB3", broker: "Beta", timeMsc: BigInt(P + 2) })]);
    expect((await all.next((m) => m.candle?.tickCount === 2n)).broker).toBe("");
    expect(await one_.next((m) => m.candle?.tickCount === 1n)).toMatchObject({ symbol: "LB3", broker: "Alpha" });
    abort.abort();
  });

  it("refuses no symbols, an unset timeframe and an update interval under 10 ms with INVALID_ARGUMENT naming the field", async () => {
    const refused = async (req: Parameters<typeof ticks.subscribeCandles>[0]) => {
      try {
        for await (const _ of ticks.subscribeCandles(req)) void _;
        return undefined;
      } catch (err) {
        return ConnectError.from(err);
      }
    };
    const cases: [Parameters<typeof ticks.subscribeCandles>[0], string][] = [
      [{ symbols: [], timeframe: Timeframe.H1 }, "symbols"],
      [{ symbols: ["A"], timeframe: Timeframe.UNSPECIFIED }, "timeframe"],
      [{ symbols: ["A"], timeframe: Timeframe.H1, updateIntervalMs: 5 }, "update_interval_ms"],
    ];
    for (const [req, field] of cases) {
      const err = await refused(req);
      expect(err?.code).toBe(Code.InvalidArgument);
      expect(err?.message).toContain(field);
    }
  });
});
