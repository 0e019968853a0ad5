import type { FieldViolationInfo } from "../errors.js";
import { blockFromBatch, MalformedBatchError, MAX_BATCH_TICKS } from "../tick-block/proto-codec.js";
import type { TickBlock } from "../ports/tick-block.js";
import type { TickFieldPath, TickValidator } from "../tick-block/tick-validation.js";
import type { TickBatch } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { type ReplayChunk, type ReplayRequest, replayTicks } from "./tick-replay.js";
import type { AsOfQuery, CandleQuery, CandleRow, InsertOutcome, RangeQuery, TickColumnChunk, TickRow, TickStore } from "../ports/tick-store.js";
import { computeIndicator, type IndicatorKind, type IndicatorPoint } from "./indicators.js";
import type { TickFilter } from "./tick-hub.js";
import type { TickFanOut, TickOrigin } from "./tick-fan-out.js";
import { type BarSeries, type BarUpdate, barUpdates, type LiveBars } from "./live-bars.js";
import { type IndicatorSubscription, type IndicatorUpdate, indicatorUpdates } from "./live-indicators.js";

export type AckState = "durable" | "spooled" | "duplicate" | "rejected";
export type BatchAck = { batchId: string; state: AckState; accepted: number; violations: FieldViolationInfo[] };
export type PreparedBatch = { ok: true; batchId: string; block: TickBlock } | { ok: false; ack: BatchAck };

/**
 * Where a valid batch goes to become durable: the tick store directly, or the tick log (the ack
 * point when replicas share the backends). Resolves with the outcome once it is durable.
 */
export interface TickIngest {
  append(batchId: string, block: TickBlock, origin: TickOrigin, signal?: AbortSignal): Promise<InsertOutcome>;
}

/** Stores each batch, then fans it out in this process: one process sees every batch it stores. */
export class DirectTickIngest implements TickIngest {
  constructor(
    private readonly store: TickStore,
    private readonly fanOut: TickFanOut,
  ) {}

  async append(batchId: string, block: TickBlock, origin: TickOrigin, signal?: AbortSignal): Promise<InsertOutcome> {
    const outcome = await this.store.insert(batchId, block, signal);
    // Spooled batches are acknowledged and durable on local disk: they are served and fanned out too.
    if (outcome !== "duplicate") this.fanOut.deliver(block, batchId, origin);
    return outcome;
  }
}

const MISSING_BATCH: PreparedBatch = { ok: false, ack: { batchId: "", state: "rejected", accepted: 0, violations: [{ field: "batch", index: -1, description: "is required" }] } };

const BATCH_ID = /^[A-Za-z0-9._:/-]{1,128}$/;

const rowPath: TickFieldPath = (i, field) => `batch.rows.ticks[${i}].${field}`;
const columnPath: TickFieldPath = (i, field) => `batch.columns.${field}[${i}]`;

/** Closed bars a live-bar subscriber may leave unread before it is dropped. */
const LIVE_BARS_MAX_CLOSED_BACKLOG = 10_000;

/** Most bars an indicator request reads (the look-back comes out of these). */
const INDICATOR_MAX_BARS = 100_000;

/**
 * The tick domain: validate -> make durable (once per batch id) -> then, and only then, the
 * recent-ticks memory, the live feed and any listeners (TickFanOut). Reads go to memory first,
 * then the store.
 */
export class TickDomain {
  constructor(
    private readonly store: TickStore,
    private readonly validator: TickValidator,
    private readonly ingest: TickIngest,
    private readonly fanOut: TickFanOut,
    private readonly liveBars: LiveBars,
  ) {}

  /**
   * Validates a batch (synchronously, so a stream can stop taking batches at the first rejection
   * before the next one is read): the block to store, or the rejection.
   */
  prepare(batch: TickBatch | undefined): PreparedBatch {
    if (!batch) return MISSING_BATCH;
    const reject = (violations: FieldViolationInfo[]): PreparedBatch => ({ ok: false, ack: { batchId: batch.batchId, state: "rejected", accepted: 0, violations } });
    if (!BATCH_ID.test(batch.batchId)) {
      return reject([{ field: "batch.batch_id", index: -1, description: `must be 1-128 characters matching ${BATCH_ID.source}` }]);
    }
    let block: TickBlock;
    try {
      block = blockFromBatch(batch);
    } catch (err) {
      if (err instanceof MalformedBatchError) return reject([{ field: err.field, index: err.index, description: err.message }]);
      throw err;
    }
    if (block.length === 0 || block.length > MAX_BATCH_TICKS) {
      return reject([{ field: "batch.rows.ticks", index: -1, description: `a batch holds 1 to ${MAX_BATCH_TICKS} ticks` }]);
    }
    const violations = this.validator.validate(block, batch.payload.case === "columns" ? columnPath : rowPath);
    return violations.length > 0 ? reject(violations) : { ok: true, batchId: batch.batchId, block };
  }

  /**
   * Stores a prepared batch and resolves with its ack once it is durable (or spooled, or known as
   * a retry); a rejected one resolves with its rejection. Every way in (the RPCs, the tick stream's
   * consumer) takes this one path: prepare, then commit.
   */
  async commit(prepared: PreparedBatch, signal?: AbortSignal, origin: TickOrigin = "rpc"): Promise<BatchAck> {
    if (!prepared.ok) return prepared.ack;
    const { batchId, block } = prepared;
    const outcome = await this.ingest.append(batchId, block, origin, signal);
    if (outcome === "duplicate") return { batchId, state: "duplicate", accepted: 0, violations: [] };
    return { batchId, state: outcome === "spooled" ? "spooled" : "durable", accepted: block.length, violations: [] };
  }

  /**
   * Memory when it holds `limit` ticks; otherwise memory's ticks over the store's older ones (the
   * store may lag memory when the log is the ack point, and memory holds only what arrived since
   * the process started).
   */
  async recent(symbol: string, broker: string | undefined, limit: number, signal?: AbortSignal): Promise<TickRow[]> {
    const held = this.fanOut.recentTicks.newest(symbol, broker, limit);
    if (held.length >= limit) return held;
    const stored = await this.store.recent(symbol, broker, limit, signal);
    if (held.length === 0) return stored;
    const oldestHeld = new Map<string, number>();
    for (const t of held) oldestHeld.set(t.broker, Math.min(t.timeMsc, oldestHeld.get(t.broker) ?? Infinity));
    const older = stored.filter((t) => t.timeMsc < (oldestHeld.get(t.broker) ?? Infinity));
    return [...held, ...older].sort((a, b) => b.timeMsc - a.timeMsc).slice(0, limit);
  }

  range(query: RangeQuery, signal?: AbortSignal): AsyncIterable<TickRow[]> {
    return this.store.range(query, signal);
  }

  rangeColumns(query: RangeQuery, signal?: AbortSignal): AsyncIterable<TickColumnChunk> {
    return this.store.rangeColumns(query, signal);
  }

  asOf(query: AsOfQuery, signal?: AbortSignal): Promise<TickRow[]> {
    return this.store.asOf(query, signal);
  }

  replay(request: ReplayRequest, signal?: AbortSignal): AsyncIterable<ReplayChunk> {
    return replayTicks(this.store, request, signal);
  }

  candles(query: CandleQuery, signal?: AbortSignal): Promise<CandleRow[]> {
    return this.store.candles(query, signal);
  }

  async indicators(
    query: Omit<CandleQuery, "limit">,
    specs: readonly { kind: IndicatorKind; period: number }[],
    signal?: AbortSignal,
  ): Promise<IndicatorPoint[][]> {
    const bars = await this.store.candles({ ...query, limit: INDICATOR_MAX_BARS }, signal);
    return specs.map((s) => computeIndicator(s.kind, s.period, bars));
  }

  /** Live bars of `series`: forming ones at most every `intervalMs`, each closed one once. */
  candleUpdates(series: readonly BarSeries[], intervalMs: number, signal: AbortSignal): AsyncIterable<BarUpdate> {
    return barUpdates(this.liveBars, series, intervalMs, LIVE_BARS_MAX_CLOSED_BACKLOG, signal);
  }

  /** Indicator values of live bars, seeded from history (see indicatorUpdates). */
  indicatorUpdates(sub: IndicatorSubscription, signal: AbortSignal): AsyncIterable<IndicatorUpdate> {
    const limits = { maxBars: INDICATOR_MAX_BARS, maxClosedBacklog: LIVE_BARS_MAX_CLOSED_BACKLOG };
    return indicatorUpdates(this.liveBars, this.fanOut.recentTicks, this.store, sub, limits, signal);
  }

  subscribe(filter: TickFilter, signal: AbortSignal): AsyncIterable<TickBlock> {
    return this.fanOut.hub.subscribe(filter, signal);
  }
}
