import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { AckState, IndicatorType, type PriceSource, type TickBatch, type TickService, type Timeframe } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import type { IndicatorKind, IndicatorPoint } from "../domain/indicators.js";
import type { PatternSearch } from "../domain/pattern-search.js";
import { RECIPE } from "../domain/patterns.js";
import type { BatchAck, PreparedBatch, TickDomain } from "../domain/ticks.js";
import { InvalidArgumentError } from "../errors.js";
import { pipelined } from "../batching/pipeline.js";
import { brokerOrAll, seriesOf } from "./bar-series.js";
import { int64Halves } from "../tick-block/column-chunk.js";
import { tickAt, toProtoTick } from "../tick-block/proto-codec.js";
import type { CandleRow } from "../ports/tick-store.js";

const INDICATOR: Record<Exclude<IndicatorType, IndicatorType.UNSPECIFIED>, IndicatorKind> = {
  [IndicatorType.SMA]: "sma",
  [IndicatorType.EMA]: "ema",
  [IndicatorType.RSI]: "rsi",
  [IndicatorType.VWAP]: "vwap",
};

const ACK_STATE: Record<BatchAck["state"], AckState> = {
  durable: AckState.DURABLE,
  spooled: AckState.SPOOLED,
  duplicate: AckState.DUPLICATE,
  rejected: AckState.REJECTED,
};

const specOf = (s: { type: IndicatorType; period: number }) => ({ kind: INDICATOR[s.type as keyof typeof INDICATOR], period: s.period });

/** Points as two little-endian columns: no message, and no BigInt, per point. */
function indicatorColumns(points: readonly IndicatorPoint[]): { timeMscColumn: Uint8Array; valueColumn: Uint8Array } {
  const times = new Float64Array(points.length);
  const values = new Float64Array(points.length);
  points.forEach((p, i) => {
    times[i] = p.timeMsc;
    values[i] = p.value;
  });
  return { timeMscColumn: new Uint8Array(int64Halves(times).buffer), valueColumn: new Uint8Array(values.buffer) };
}

const toProtoCandle = (b: CandleRow) => ({ ...b, openTimeMsc: BigInt(b.openTimeMsc), tickCount: BigInt(b.tickCount) });

/** SubscribeCandles' update_interval_ms when the request leaves it 0. */
const DEFAULT_BAR_UPDATE_MS = 250;

/** The bars a candle or indicator request is about. */
const barsOf = (req: { symbol: string; broker: string; timeframe: Timeframe; startTimeMsc: bigint; endTimeMsc: bigint; priceSource: PriceSource }) => ({
  ...seriesOf(req),
  startMsc: Number(req.startTimeMsc),
  endMsc: Number(req.endTimeMsc),
});

/** One series per distinct symbol of a live request. */
const seriesOfSymbols = (req: { symbols: string[]; broker: string; timeframe: Timeframe; priceSource: PriceSource }) =>
  [...new Set(req.symbols)].map((symbol) => seriesOf({ ...req, symbol }));

/**
 * Batches of one stream in flight at once: enough for the store to group-commit them with other
 * streams' batches, few enough to bound what one stream holds in memory.
 */
const STREAM_WINDOW = 16;

/**
 * Handlers: proto <-> TickDomain, plus the ingest streams' windowing (STREAM_WINDOW batches in
 * flight, acks in order) and ack reporting: `onAck` hears every batch's ack with the seconds from
 * receiving the batch to answering it.
 */
export function tickService(ticks: TickDomain, patterns: PatternSearch, onAck: (ack: BatchAck, seconds: number) => void = () => undefined): ServiceImpl<typeof TickService> {
  /** Stores a prepared batch (or answers its rejection) and reports the ack. */
  const settle = (prepared: PreparedBatch, signal: AbortSignal): Promise<BatchAck> => {
    const started = performance.now();
    return ticks.commit(prepared, signal).then((ack) => {
      onAck(ack, (performance.now() - started) / 1000);
      return ack;
    });
  };
  return {
    async writeTicks(requests, ctx: HandlerContext) {
      const summary = { batches: 0n, acceptedTicks: 0n, durableTicks: 0n, spooledTicks: 0n, duplicateBatches: 0n };
      // After an invalid batch nothing more of the stream is stored: the client gets one error
      // and knows that exactly the batches before it are in.
      let rejected = false;
      const writeOne = (batch: TickBatch | undefined): Promise<BatchAck | undefined> => {
        if (rejected) return Promise.resolve(undefined);
        const prepared = ticks.prepare(batch);
        if (!prepared.ok) rejected = true;
        return settle(prepared, ctx.signal);
      };
      for await (const ack of pipelined(requests, (req) => writeOne(req.batch), STREAM_WINDOW)) {
        if (!ack) continue;
        summary.batches++;
        if (ack.state === "rejected") {
          throw new InvalidArgumentError(ack.violations.map((v) => ({ ...v, field: `${v.field} (batch ${ack.batchId})` })));
        }
        summary.acceptedTicks += BigInt(ack.accepted);
        if (ack.state === "durable") summary.durableTicks += BigInt(ack.accepted);
        if (ack.state === "spooled") summary.spooledTicks += BigInt(ack.accepted);
        if (ack.state === "duplicate") summary.duplicateBatches++;
      }
      return summary;
    },

    async *ingestTicks(requests, ctx) {
      for await (const ack of pipelined(requests, (req) => settle(ticks.prepare(req.batch), ctx.signal), STREAM_WINDOW)) {
        yield {
          batchId: ack.batchId,
          state: ACK_STATE[ack.state],
          acceptedTicks: ack.accepted,
          violations: ack.violations.map((v) => ({ field: v.field, tickIndex: v.index, description: v.description })),
        };
      }
    },

    async getRecentTicks(req, ctx) {
      const rows = await ticks.recent(req.symbol, brokerOrAll(req.broker), req.limit || 100, ctx.signal);
      return { ticks: rows.map(toProtoTick) };
    },

    async *queryTicks(req, ctx) {
      const range = {
        symbol: req.symbol,
        broker: brokerOrAll(req.broker),
        startMsc: Number(req.startTimeMsc),
        endMsc: Number(req.endTimeMsc),
        chunkSize: req.chunkSize || 5000,
      };
      if (req.columnar) {
        for await (const columns of ticks.rangeColumns(range, ctx.signal)) yield { columns };
        return;
      }
      for await (const chunk of ticks.range(range, ctx.signal)) yield { ticks: chunk.map(toProtoTick) };
    },

    async getTicksAsOf(req, ctx) {
      const rows = await ticks.asOf({ symbols: req.symbols, broker: brokerOrAll(req.broker), timeMsc: Number(req.timeMsc) }, ctx.signal);
      return { ticks: rows.map(toProtoTick) };
    },

    async *replayTicks(req, ctx) {
      yield* ticks.replay(
        {
          symbols: req.symbols,
          brokers: req.brokers,
          startMsc: Number(req.startTimeMsc),
          endMsc: Number(req.endTimeMsc),
          pace: req.pace,
          chunkSize: req.chunkSize || 5000,
          resumeToken: req.resumeToken,
        },
        ctx.signal,
      );
    },

    async getCandles(req, ctx) {
      const bars = await ticks.candles({ ...barsOf(req), limit: req.limit || 10_000 }, ctx.signal);
      return { candles: bars.map(toProtoCandle) };
    },

    async getIndicators(req, ctx) {
      const series = await ticks.indicators(barsOf(req), req.indicators.map(specOf), ctx.signal);
      return {
        series: series.map((points, i) =>
          req.columnar
            ? { spec: req.indicators[i], ...indicatorColumns(points) }
            : { spec: req.indicators[i], points: points.map((p) => ({ timeMsc: BigInt(p.timeMsc), value: p.value })) },
        ),
      };
    },

    async *subscribeCandles(req, ctx) {
      for await (const u of ticks.candleUpdates(seriesOfSymbols(req), req.updateIntervalMs || DEFAULT_BAR_UPDATE_MS, ctx.signal)) {
        yield { symbol: u.symbol, broker: u.broker ?? "", closed: u.closed, candle: toProtoCandle(u.bar) };
      }
    },

    async *subscribeIndicators(req, ctx) {
      const sub = {
        series: seriesOfSymbols(req),
        specs: req.indicators.map(specOf),
        startMsc: req.startTimeMsc === 0n ? undefined : Number(req.startTimeMsc),
        intrabar: req.intrabar,
        intervalMs: req.updateIntervalMs || DEFAULT_BAR_UPDATE_MS,
      };
      for await (const u of ticks.indicatorUpdates(sub, ctx.signal)) {
        yield {
          symbol: u.symbol,
          broker: u.broker ?? "",
          timeMsc: BigInt(u.timeMsc),
          closed: u.closed,
          values: u.values.map((value, i) => ({ spec: req.indicators[i], value })),
          startTimeMsc: BigInt(u.startMsc),
        };
      }
    },

    async findSimilarPatterns(req, ctx) {
      const found = await patterns.find(
        {
          series: seriesOf(req),
          atMsc: req.atTimeMsc === 0n ? Date.now() : Number(req.atTimeMsc),
          k: req.k || 10,
          symbols: [...new Set(req.symbols)],
          fromMsc: req.startTimeMsc === 0n ? undefined : Number(req.startTimeMsc),
          toMsc: req.endTimeMsc === 0n ? undefined : Number(req.endTimeMsc),
        },
        ctx.signal,
      );
      return {
        windowEndTimeMsc: BigInt(found.windowEndMsc),
        recipe: RECIPE.name,
        patterns: found.matches.map((m) => ({ ...m, broker: m.broker ?? "", windowEndTimeMsc: BigInt(m.windowEndMsc) })),
      };
    },

    async *subscribeTicks(req, ctx) {
      const blocks = ticks.subscribe({ symbols: new Set(req.symbols), broker: brokerOrAll(req.broker) }, ctx.signal);
      for await (const block of blocks) yield { ticks: Array.from({ length: block.length }, (_, i) => tickAt(block, i)) };
    },
  };
}
