import type { CacheStore } from "../ports/cache-store.js";
import type { CandleRow, TickStore } from "../ports/tick-store.js";
import type { VectorRecord, VectorStore } from "../ports/vector-store.js";
import type { BarSeries } from "./bars-from-ticks.js";
import { cacheKeys } from "./cache.js";
import { CHUNK_BARS } from "./candle-cache.js";
import { BARS_PER_PATTERN, outcomeOf, PATTERN_COLLECTION, patternRecord, RECIPE } from "./patterns.js";

export type BackfillRequest = { series: BarSeries; fromMsc: number; toMsc: number; restart: boolean };

export type BackfillProgress = {
  /** Chunks of the range done, of all. */
  chunksDone: number;
  chunks: number;
  /** Where this run started: the range's start, or where an earlier run of the same range stopped. */
  resumedAtMsc: number;
  /** Everything before this is done. */
  doneUpToMsc: number;
  barsRead: number;
  patternsWritten: number;
};

/** Pattern writes per request to the vector store. */
const WRITE_BATCH = 500;

/** A run from fromMsc has built everything before doneUpToMsc. */
type Checkpoint = { fromMsc: number; doneUpToMsc: number };

/**
 * Builds, from the history in the tick store, what the live path builds as bars close: the
 * cached bars of every ended chunk (read through the candle cache, which keeps what it reads)
 * and the pattern of every window ending in the range, with its outcome where the bars after it
 * exist. Works a chunk (CHUNK_BARS bars) at a time, oldest first, and records after each how far
 * it got (`backfill:` key in the cache), so a rerun from the same start resumes there; patterns
 * keep their deterministic ids, so a rerun, or the live writer, replaces rather than adds.
 */
export class Backfill {
  constructor(
    private readonly store: TickStore,
    private readonly vectors: VectorStore,
    private readonly cache: CacheStore,
    private readonly now: () => number = Date.now,
  ) {}

  async *run(req: BackfillRequest, signal?: AbortSignal): AsyncGenerator<BackfillProgress> {
    const { series } = req;
    const tf = series.timeframeMs;
    const chunkMs = CHUNK_BARS * tf;
    const toMsc = Math.min(req.toMsc, Math.floor(this.now() / tf) * tf);
    const key = cacheKeys.backfill(RECIPE.name, series.symbol, tf, series.broker, series.price);
    const saved = req.restart ? undefined : await this.checkpoint(key);
    const resumedAtMsc = saved && saved.fromMsc === req.fromMsc ? Math.min(saved.doneUpToMsc, toMsc) : req.fromMsc;
    await this.vectors.ensureCollection(PATTERN_COLLECTION);
    const firstChunk = Math.floor(req.fromMsc / chunkMs) * chunkMs;
    const chunks = Math.max(0, Math.ceil((toMsc - firstChunk) / chunkMs));
    const progress: BackfillProgress = { chunksDone: Math.floor((resumedAtMsc - firstChunk) / chunkMs), chunks, resumedAtMsc, doneUpToMsc: resumedAtMsc, barsRead: 0, patternsWritten: 0 };
    for (let start = Math.floor(resumedAtMsc / chunkMs) * chunkMs; start < toMsc; start += chunkMs) {
      signal?.throwIfAborted();
      const from = Math.max(start, resumedAtMsc);
      const end = Math.min(start + chunkMs, toMsc);
      // The chunk before (windows ending early in this one start there) and after (outcomes).
      const bars = await this.store.candles({ ...series, startMsc: start - chunkMs, endMsc: start + 2 * chunkMs, limit: 3 * CHUNK_BARS }, signal);
      progress.barsRead += bars.filter((b) => b.openTimeMsc >= from && b.openTimeMsc < end).length;
      const { records, pendingFromMsc } = this.patterns(series, bars, from, end);
      for (let i = 0; i < records.length; i += WRITE_BATCH) await this.vectors.upsert(PATTERN_COLLECTION.name, records.slice(i, i + WRITE_BATCH));
      progress.patternsWritten += records.length;
      progress.doneUpToMsc = end;
      progress.chunksDone++;
      // A window whose outcome is not known yet is done again by the next run.
      const checkpoint: Checkpoint = { fromMsc: req.fromMsc, doneUpToMsc: Math.min(end, pendingFromMsc ?? end) };
      await this.cache.set(key, new TextEncoder().encode(JSON.stringify(checkpoint)), 0, "always");
      yield { ...progress };
    }
    // Nothing left (a rerun of a finished range): one message says so.
    if (progress.doneUpToMsc === resumedAtMsc) yield { ...progress, chunksDone: chunks, doneUpToMsc: Math.max(resumedAtMsc, toMsc) };
  }

  /**
   * The patterns of windows whose last bar opens in [from, end) and has closed, and the open of
   * the first such bar whose outcome is not known yet.
   */
  private patterns(series: BarSeries, bars: readonly CandleRow[], from: number, end: number): { records: VectorRecord[]; pendingFromMsc: number | undefined } {
    const tf = series.timeframeMs;
    const closedBy = this.now();
    const out: VectorRecord[] = [];
    let pendingFromMsc: number | undefined;
    for (let i = BARS_PER_PATTERN - 1; i < bars.length; i++) {
      const last = bars[i]!;
      if (last.openTimeMsc < from || last.openTimeMsc >= end || last.openTimeMsc + tf > closedBy) continue;
      const later = bars[i + RECIPE.horizon];
      const outcome = later && later.openTimeMsc + tf <= closedBy ? outcomeOf(last.close, later.close) : undefined;
      if (outcome === undefined) pendingFromMsc ??= last.openTimeMsc;
      out.push(patternRecord(series, bars, i, outcome)!);
    }
    return { records: out, pendingFromMsc };
  }

  private async checkpoint(key: string): Promise<Checkpoint | undefined> {
    const bytes = await this.cache.get(key);
    return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as Checkpoint) : undefined;
  }
}
