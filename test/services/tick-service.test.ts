import { create } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CacheService } from "../../gen/neliti/dataplane/v1/cache_pb.js";
import {
  AckState,
  IndicatorType,
  IngestTicksRequestSchema,
  PriceSource,
  TickService,
  Timeframe,
  WriteTicksRequestSchema,
} from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { inMemoryApp, type TestApp } from "../harness/app.js";
import { rowsBatch, series, tick } from "../harness/ticks.js";
import { indicatorArrays, tickColumns } from "../../src/client.js";

async function* from<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

describe("TickService (embedded, in-memory transport)", () => {
  let t: TestApp;
  let ticks: Client<typeof TickService>;

  beforeAll(async () => {
    t = await inMemoryApp();
    ticks = t.client(TickService);
  });
  afterAll(async () => t.close());

  it("WriteTicks stores every batch of the stream and summarises it; a retried batch is counted once", async () => {
    const a = series(3, { symbol: "WT1" });
    const res = await ticks.writeTicks(
      from([rowsBatch("wt1-a", a), rowsBatch("wt1-b", series(2, { symbol: "WT1" }, Date.now() - 10_000)), rowsBatch("wt1-a", a)].map((batch) => create(WriteTicksRequestSchema, { batch }))),
    );
    expect(res).toMatchObject({ batches: 3n, acceptedTicks: 5n, durableTicks: 5n, spooledTicks: 0n, duplicateBatches: 1n });
    expect((await ticks.getRecentTicks({ symbol: "WT1", limit: 100 })).ticks).toHaveLength(5);
  });

  it("WriteTicks ends with INVALID_ARGUMENT naming batch, tick index and field; nothing of that batch is stored", async () => {
    const bad = [tick({ symbol: "WT2" }), tick({ symbol: "WT2", bid: Number.NaN })];
    const err = await ticks
      .writeTicks(from([rowsBatch("wt2-ok", [tick({ symbol: "WT2", timeMsc: BigInt(Date.now() - 5) })]), rowsBatch("wt2-bad", bad)].map((batch) => create(WriteTicksRequestSchema, { batch }))))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    expect((err as ConnectError).rawMessage).toContain("batch.rows.ticks[1].bid");
    expect((err as ConnectError).rawMessage).toContain("wt2-bad");
    const violations = JSON.parse((err as ConnectError).metadata.get("x-field-violations") ?? "[]") as { index: number }[];
    expect(violations[0]?.index).toBe(1);
    expect((await ticks.getRecentTicks({ symbol: "WT2", limit: 10 })).ticks).toHaveLength(1);
  });

  it("IngestTicks acknowledges each batch in order, rejects a bad one and goes on", async () => {
    const now = Date.now();
    const batches = [
      rowsBatch("in-1", series(2, { symbol: "IN1" }, now - 100)),
      rowsBatch("in-2", [tick({ symbol: "IN1", bid: 2, ask: 1 })]),
      rowsBatch("in-3", [tick({ symbol: "IN1", timeMsc: BigInt(now - 50_000 * 86_400_000) })]),
      rowsBatch("in-1", series(2, { symbol: "IN1" }, now - 100)),
      rowsBatch("in-4", series(1, { symbol: "IN1" }, now)),
    ];
    const acks = [];
    for await (const ack of ticks.ingestTicks(from(batches.map((batch) => create(IngestTicksRequestSchema, { batch }))))) acks.push(ack);
    expect(acks.map((a) => [a.batchId, a.state, a.acceptedTicks])).toEqual([
      ["in-1", AckState.DURABLE, 2],
      ["in-2", AckState.REJECTED, 0],
      ["in-3", AckState.REJECTED, 0],
      ["in-1", AckState.DUPLICATE, 0],
      ["in-4", AckState.DURABLE, 1],
    ]);
    expect(acks[1]!.violations).toEqual([expect.objectContaining({ field: "batch.rows.ticks[0].bid", tickIndex: 0, description: "must not exceed ask" })]);
    expect(acks[2]!.violations[0]?.field).toBe("batch.rows.ticks[0].time_msc");
    expect((await ticks.getRecentTicks({ symbol: "IN1", limit: 100 })).ticks).toHaveLength(3);
  });

  it("accepts the columnar batch form and checks its column lengths and dictionary indexes", async () => {
    const now = BigInt(Date.now());
    const arrays = {
      symbols: ["COL1", "COL2"],
      brokers: ["B"],
      symbolIndex: Uint32Array.of(0, 1, 0),
      brokerIndex: Uint32Array.of(0, 0, 0),
      accountType: Uint8Array.of(1, 1, 2),
      timeMsc: BigInt64Array.of(now - 2n, now - 1n, now),
      bid: Float64Array.of(1, 2, 3),
      ask: Float64Array.of(1.1, 2.1, 3.1),
      last: Float64Array.of(0, 0, 0),
      volume: Float64Array.of(1, 1, 1),
      flags: Uint32Array.of(0, 0, 0),
    };
    const columns = tickColumns(arrays);
    const ok = ticks.ingestTicks(from([create(IngestTicksRequestSchema, { batch: { batchId: "col-1", payload: { case: "columns", value: columns } } })]));
    for await (const ack of ok) expect(ack.state).toBe(AckState.DURABLE);
    expect((await ticks.getRecentTicks({ symbol: "COL1", limit: 5 })).ticks.map((x) => x.bid)).toEqual([3, 1]);

    const bad = [
      tickColumns({ ...arrays, bid: Float64Array.of(1, 2) }),
      tickColumns({ ...arrays, symbolIndex: Uint32Array.of(0, 5, 0) }),
      tickColumns({ ...arrays, ask: Float64Array.of(1.1, 1.5, 3.1) }),
      { ...columns, timeMsc: new Uint8Array(23) },
      { ...columns, flags: new Uint8Array(13) },
      tickColumns({ ...arrays, accountType: Uint8Array.of(1, 9, 1) }),
      { ...columns, timeMsc: new Uint8Array(8 * 100_001) },
      { ...columns, symbols: Array.from({ length: 10_001 }, (_, i) => `S${i}`) },
    ];
    const acks = [];
    for await (const ack of ticks.ingestTicks(from(bad.map((c, i) => create(IngestTicksRequestSchema, { batch: { batchId: `col-bad-${i}`, payload: { case: "columns", value: c } } }))))) {
      acks.push(ack);
    }
    expect(acks.map((a) => [a.state, a.violations[0]?.field])).toEqual([
      [AckState.REJECTED, "batch.columns.bid"],
      [AckState.REJECTED, "batch.columns.symbol_index[1]"],
      [AckState.REJECTED, "batch.columns.bid[1]"],
      [AckState.REJECTED, "batch.columns.time_msc"],
      [AckState.REJECTED, "batch.columns.flags"],
      [AckState.REJECTED, "batch.columns.account_type[1]"],
      [AckState.REJECTED, "batch.columns.time_msc"],
      [AckState.REJECTED, "batch.columns.symbols"],
    ]);
    expect(acks[6]!.violations[0]!.description).toBe("holds 100001 ticks; a batch holds at most 100000");
    expect(acks[0]!.violations[0]!.description).toBe("has 16 bytes; 3 ticks need 24");
    expect(acks[3]!.violations[0]!.description).toMatch(/23 bytes, not a whole number of 8-byte values/);
  });

  it("GetRecentTicks returns newest first, per broker or across brokers", async () => {
    const now = Date.now();
    await ticks.writeTicks(
      from([
        create(WriteTicksRequestSchema, { batch: rowsBatch("rc-1", [tick({ symbol: "RC", broker: "A", timeMsc: BigInt(now - 3) }), tick({ symbol: "RC", broker: "B", timeMsc: BigInt(now - 2) })]) }),
        create(WriteTicksRequestSchema, { batch: rowsBatch("rc-2", [tick({ symbol: "RC", broker: "A", timeMsc: BigInt(now - 1) })]) }),
      ]),
    );
    expect((await ticks.getRecentTicks({ symbol: "RC", limit: 3 })).ticks.map((x) => [x.broker, Number(x.timeMsc) - now])).toEqual([
      ["A", -1],
      ["B", -2],
      ["A", -3],
    ]);
    expect((await ticks.getRecentTicks({ symbol: "RC", broker: "A", limit: 1 })).ticks.map((x) => Number(x.timeMsc) - now)).toEqual([-1]);
  });

  it("rejects bad unary requests with INVALID_ARGUMENT naming the field", async () => {
    for (const [req, field] of [
      [{ symbol: "", limit: 1 }, "symbol"],
      [{ symbol: "EUR'USD", limit: 1 }, "symbol"],
      [{ symbol: "EURUSD", limit: 20_000 }, "limit"],
    ] as const) {
      const err = await ticks.getRecentTicks(req).catch((e: unknown) => e);
      expect((err as ConnectError).code).toBe(Code.InvalidArgument);
      expect((err as ConnectError).rawMessage).toContain(field);
    }
    const range = await ticks.getCandles({ symbol: "X", timeframe: Timeframe.M1, startTimeMsc: 10n, endTimeMsc: 5n }).catch((e: unknown) => e);
    expect((range as ConnectError).code).toBe(Code.InvalidArgument);
  });

  it("QueryTicks streams the range in chunks", async () => {
    const end = Date.now();
    await ticks.writeTicks(from([create(WriteTicksRequestSchema, { batch: rowsBatch("q-1", series(12, { symbol: "QT" }, end)) })]));
    const sizes: number[] = [];
    for await (const chunk of ticks.queryTicks({ symbol: "QT", startTimeMsc: BigInt(end - 100), endTimeMsc: BigInt(end + 1), chunkSize: 5 })) sizes.push(chunk.ticks.length);
    expect(sizes).toEqual([5, 5, 2]);
  });

  it("GetCandles and GetIndicators compute OHLCV, SMA, EMA, RSI and VWAP as worked out by hand", async () => {
    const m = 60_000;
    const base = Math.floor((Date.now() - 3_600_000) / m) * m;
    // One tick per minute; closes 1, 2, 4, 3, 5 (bid), volume 1, 1, 2, 2, 4.
    const closes = [1, 2, 4, 3, 5];
    const vols = [1, 1, 2, 2, 4];
    await ticks.writeTicks(
      from([
        create(WriteTicksRequestSchema, {
          batch: rowsBatch(
            "ind-1",
            closes.map((c, i) => tick({ symbol: "IND", timeMsc: BigInt(base + i * m + 5), bid: c, ask: c + 0.5, volume: vols[i]! })),
          ),
        }),
      ]),
    );
    const range = { symbol: "IND", timeframe: Timeframe.M1, startTimeMsc: BigInt(base), endTimeMsc: BigInt(base + 5 * m), priceSource: PriceSource.BID };
    const candles = (await ticks.getCandles(range)).candles;
    expect(candles.map((c) => [Number(c.openTimeMsc) - base, c.open, c.high, c.low, c.close, c.volume, Number(c.tickCount)])).toEqual(
      closes.map((c, i) => [i * m, c, c, c, c, vols[i], 1]),
    );
    const { series: out } = await ticks.getIndicators({
      ...range,
      indicators: [
        { type: IndicatorType.SMA, period: 3 },
        { type: IndicatorType.EMA, period: 3 },
        { type: IndicatorType.RSI, period: 3 },
        { type: IndicatorType.VWAP, period: 2 },
      ],
    });
    const values = out.map((s) => s.points.map((p) => p.value));
    // SMA3: (1+2+4)/3, (2+4+3)/3, (4+3+5)/3
    expect(values[0]).toEqual([7 / 3, 3, 4].map((v) => expect.closeTo(v, 10)));
    // EMA3, alpha 0.5, seeded with SMA 7/3: 0.5*3 + 0.5*7/3 = 8/3; 0.5*5 + 0.5*8/3 = 23/6
    expect(values[1]).toEqual([7 / 3, 8 / 3, 23 / 6].map((v) => expect.closeTo(v, 10)));
    // RSI3: changes +1 +2 -1 -> avg gain 1, avg loss 1/3 -> 75; then +2: gain (1*2+2)/3=4/3, loss (1/3*2)/3=2/9 -> 100-100/(1+6) = 600/7
    expect(values[2]).toEqual([75, 600 / 7].map((v) => expect.closeTo(v, 10)));
    // VWAP2 with typical price = close (one tick per bar): (1*1+2*1)/2, (2*1+4*2)/3, (4*2+3*2)/4, (3*2+5*4)/6
    expect(values[3]).toEqual([1.5, 10 / 3, 3.5, 26 / 6].map((v) => expect.closeTo(v, 10)));

    // The columnar form carries the same values and times, as arrays.
    const columnar = await ticks.getIndicators({ ...range, columnar: true, indicators: out.map((s) => s.spec!) });
    columnar.series.forEach((s, i) => {
      expect(s.points).toEqual([]);
      const arrays = indicatorArrays(s);
      expect([...arrays.values]).toEqual(out[i]!.points.map((p) => p.value));
      expect([...arrays.timeMsc]).toEqual(out[i]!.points.map((p) => p.timeMsc));
    });
  });

  it("SubscribeTicks streams matching ticks live and updates the last-tick cache", async () => {
    const ac = new AbortController();
    const received: string[] = [];
    const reading = (async () => {
      for await (const msg of ticks.subscribeTicks({ symbols: ["LIVE1"] }, { signal: ac.signal })) {
        received.push(...msg.ticks.map((x) => `${x.symbol}:${x.bid}`));
        if (received.length >= 2) break;
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    await ticks.writeTicks(
      from([create(WriteTicksRequestSchema, { batch: rowsBatch("live-1", [tick({ symbol: "LIVE1", bid: 1 }), tick({ symbol: "OTHER", bid: 9, ask: 9.1 }), tick({ symbol: "LIVE1", bid: 1.05, ask: 1.2 })]) })]),
    );
    await reading;
    ac.abort();
    expect(received).toEqual(["LIVE1:1", "LIVE1:1.05"]);
    const cached = await t.client(CacheService).getLatestTick({ symbol: "LIVE1", broker: "ICMarkets" });
    expect(cached.found).toBe(true);
  });

  it("keeps the newest tick by tick time as the latest, when batches arrive out of time order", async () => {
    const t0 = Date.now() - 20_000;
    const write = (id: string, at: number, bid: number) =>
      ticks.writeTicks(from([create(WriteTicksRequestSchema, { batch: rowsBatch(id, [tick({ symbol: "LATEST", timeMsc: BigInt(at), bid, ask: bid + 0.1 })]) })]));
    await write("latest-new", t0 + 5000, 2);
    await write("latest-old", t0, 1);
    const cache = t.client(CacheService);
    // Give the cache update (after durability, off the ack path) a moment.
    for (let i = 0; i < 50 && (await cache.getLatestTick({ symbol: "LATEST", broker: "ICMarkets" })).tick?.bid !== 2; i++) await new Promise((r) => setTimeout(r, 10));
    const latest = await cache.getLatestTick({ symbol: "LATEST", broker: "ICMarkets" });
    expect(latest.tick?.timeMsc).toBe(BigInt(t0 + 5000));
    expect(latest.tick?.bid).toBe(2);
  });
});

describe("GetRecentTicks after a restart (memory holds fewer than asked)", () => {
  it("answers memory's newest ticks over the store's older ones, newest first, none twice", async () => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "neliti-recent-"));
    const end = Date.now() - 5_000;
    try {
      const before = await inMemoryApp({ IN_MEMORY: "false", DATA_DIR: dir });
      await before.client(TickService).ingestTicks(from([create(IngestTicksRequestSchema, { batch: rowsBatch("old", series(50, { symbol: "RST" }, end - 100)) })]))[Symbol.asyncIterator]().next();
      await before.close();
      const after = await inMemoryApp({ IN_MEMORY: "false", DATA_DIR: dir });
      try {
        const client = after.client(TickService);
        await client.ingestTicks(from([create(IngestTicksRequestSchema, { batch: rowsBatch("new", series(10, { symbol: "RST" }, end)) })]))[Symbol.asyncIterator]().next();
        const times = (await client.getRecentTicks({ symbol: "RST", limit: 30 })).ticks.map((t) => Number(t.timeMsc));
        const expected = [...Array.from({ length: 10 }, (_, i) => end - i), ...Array.from({ length: 20 }, (_, i) => end - 100 - i)];
        expect(times).toEqual(expected);
      } finally {
        await after.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
