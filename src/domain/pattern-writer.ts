import { type Logger, throttledWarning } from "../observability/logger.js";
import type { CandleRow, TickStore } from "../ports/tick-store.js";
import type { VectorRecord, VectorStore } from "../ports/vector-store.js";
import { type BarSeries, barsAsTheyStand, joinBars } from "./bars-from-ticks.js";
import type { BarUpdate, LiveBars } from "./live-bars.js";
import { BARS_PER_PATTERN, outcomeOf, PATTERN_COLLECTION, patternRecord, RECIPE } from "./patterns.js";
import type { RecentTicks } from "./recent-ticks.js";

/** Bars a series keeps: a pattern's, and the horizon after it for the outcome. */
const KEPT = BARS_PER_PATTERN + RECIPE.horizon;
/** History read at start reaches back this far beyond the bars it needs: a weekend without bars. */
const HISTORY_SLACK_MS = 7 * 86_400_000;

/**
 * Writes the pattern of each configured series at every bar close (PATTERN_SERIES), and the
 * outcome of the pattern RECIPE.horizon bars before it. Each series follows LiveBars from the bar
 * forming at start, with the bars before it read from memory and the store, as live indicators
 * do. Writes are upserts by a deterministic id, so every replica may write the same pattern and
 * it is stored once. A write the vector store refuses is logged and skipped: the backfill
 * writes what the live path missed.
 */
export class PatternWriter {
  private readonly unwatch: (() => void)[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly pending = new Map<string, VectorRecord>();
  private readonly warn: (err: unknown) => void;
  private stopped = false;

  constructor(
    private readonly bars: LiveBars,
    private readonly recent: RecentTicks,
    private readonly store: TickStore,
    private readonly vectors: VectorStore,
    log: Logger,
    /** Hears how many records each successful write stored. */
    private readonly onWritten: (n: number) => void,
  ) {
    this.warn = throttledWarning(log, "pattern write failed");
  }

  /** Follows the series; resolves once the collection exists (rejects if the vector store cannot make it). */
  async start(series: readonly BarSeries[]): Promise<void> {
    for (const s of series) this.follow(s);
    await this.vectors.ensureCollection(PATTERN_COLLECTION);
  }

  /** Stops following and waits for the writes under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const u of this.unwatch) u();
    await this.writing;
  }

  private follow(series: BarSeries): void {
    let kept: CandleRow[] | undefined;
    const early: CandleRow[] = [];
    const onClose = (bar: CandleRow) => {
      if (!kept) return void early.push(bar);
      kept.push(bar);
      if (kept.length > KEPT) kept.shift();
      this.write(series, kept.slice());
    };
    // Bars before the split are history; LiveBars never reports a closed bar inside watch().
    let liveFrom = Number.POSITIVE_INFINITY;
    this.unwatch.push(this.bars.watch(series, (u: BarUpdate) => u.closed && u.bar.openTimeMsc >= liveFrom && onClose(u.bar)));
    liveFrom = this.bars.liveFrom(series);
    const history = barsAsTheyStand(this.recent, this.store, series, liveFrom - KEPT * series.timeframeMs - HISTORY_SLACK_MS, liveFrom, KEPT);
    history.older.then(
      (older) => {
        kept = joinBars(older, history.fromMemory, KEPT);
        for (const bar of early.splice(0)) onClose(bar);
      },
      (err: unknown) => {
        // Without history the series starts empty and writes once it has closed enough bars.
        this.warn(err);
        kept = [];
        for (const bar of early.splice(0)) onClose(bar);
      },
    );
  }

  /** The pattern ending with the newest of `kept`, and the outcome of the one `horizon` bars before it. */
  private write(series: BarSeries, kept: readonly CandleRow[]): void {
    const newest = kept.length - 1;
    const earlier = newest - RECIPE.horizon;
    const records = [
      patternRecord(series, kept, newest, undefined),
      earlier >= 0 ? patternRecord(series, kept, earlier, outcomeOf(kept[earlier]!.close, kept[newest]!.close)) : undefined,
    ].filter((r): r is VectorRecord => r !== undefined);
    if (records.length === 0 || this.stopped) return;
    for (const r of records) this.pending.set(r.id, r);
    this.writing = this.writing.then(() => this.flush());
  }

  /**
   * One write at a time, of everything waiting: a pattern's outcome update (the same id, later)
   * replaces the pattern if both wait, and never overtakes it otherwise; a backlog after a slow
   * write goes in one request.
   */
  private async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const records = [...this.pending.values()];
    this.pending.clear();
    await this.vectors.upsert(PATTERN_COLLECTION.name, records).then(() => this.onWritten(records.length), this.warn);
  }
}
