import { FailedPreconditionError } from "../errors.js";
import type { TickStore } from "../ports/tick-store.js";
import type { PropertyCondition, VectorStore } from "../ports/vector-store.js";
import { barOpen, type BarSeries } from "./bars-from-ticks.js";
import { BARS_PER_PATTERN, PATTERN_COLLECTION, patternVector, RECIPE } from "./patterns.js";

export type SimilarPatternsQuery = {
  series: BarSeries;
  /** The query window is the one ending with the last bar closed by this time. */
  atMsc: number;
  k: number;
  /** Search only these symbols' patterns; empty for every symbol's. */
  symbols: readonly string[];
  /** Only patterns whose window ended in [fromMsc, toMsc). */
  fromMsc: number | undefined;
  toMsc: number | undefined;
};

export type SimilarPattern = { symbol: string; broker: string | undefined; windowEndMsc: number; distance: number; lastClose: number; outcome: number | undefined };

/** History read for the query window reaches back this far beyond its bars (a weekend). */
const SLACK_MS = 7 * 86_400_000;
/** What a match is made of: a store need fetch no other property of a hit. */
const MATCH_PROPERTIES = ["symbol", "broker", "window_end", "last_close", "outcome_known", "outcome"] as const;
/** Patterns of the query's own series that share a bar with its window: at most this many. */
const OVERLAPPING = 2 * RECIPE.window;

/**
 * The k past windows most like the one ending at a time, by the pattern recipe: the query
 * window's vector is built from the store's bars, as the writer builds each pattern's, and
 * searched among the patterns of the same timeframe. Windows of the query's own series that
 * overlap it are left out (they are like it because they are it).
 */
export class PatternSearch {
  private collection: Promise<unknown> | undefined;

  constructor(
    private readonly store: TickStore,
    private readonly vectors: VectorStore,
  ) {}

  async find(q: SimilarPatternsQuery, signal?: AbortSignal): Promise<{ windowEndMsc: number; matches: SimilarPattern[] }> {
    // A service that writes no patterns itself still answers (with none) before any replica has.
    this.collection ??= this.vectors.ensureCollection(PATTERN_COLLECTION).catch((err: unknown) => {
      this.collection = undefined;
      throw err;
    });
    await this.collection;
    const { series } = q;
    const tf = series.timeframeMs;
    const end = barOpen(q.atMsc, tf);
    const bars = await this.store.candles({ ...series, startMsc: Math.max(0, end - BARS_PER_PATTERN * tf - SLACK_MS), endMsc: end, limit: BARS_PER_PATTERN }, signal);
    const vector = patternVector(bars);
    if (!vector) throw new FailedPreconditionError(`${series.symbol} has ${bars.length} bars before ${new Date(end).toISOString()} in reach; a pattern needs ${BARS_PER_PATTERN}`);
    const windowEndMsc = bars.at(-1)!.openTimeMsc + tf;
    const windowStartMsc = windowEndMsc - RECIPE.window * tf;
    const base: PropertyCondition[] = [
      { property: "recipe", op: "eq", value: RECIPE.name },
      { property: "timeframe_ms", op: "eq", value: tf },
      ...(q.fromMsc !== undefined ? [{ property: "window_end", op: "gte" as const, value: q.fromMsc }] : []),
      ...(q.toMsc !== undefined ? [{ property: "window_end", op: "lt" as const, value: q.toMsc }] : []),
    ];
    // Only a search that can reach the query's own series needs room for the windows left out.
    // (A search of every symbol is not split into "own" and "not own": on the embedded store a
    // filter that matches nothing walks the whole HNSW graph.)
    const searches = q.symbols.length > 0 ? q.symbols.map((s) => ({ symbol: s, filters: [...base, { property: "symbol", op: "eq" as const, value: s }] })) : [{ symbol: undefined, filters: base }];
    const found = await Promise.all(
      searches.map(({ symbol, filters }) =>
        this.vectors.search(PATTERN_COLLECTION.name, {
          vector,
          limit: symbol === undefined || symbol === series.symbol ? q.k + OVERLAPPING : q.k,
          maxDistance: undefined,
          filters,
          omitVectors: true,
          properties: MATCH_PROPERTIES,
        }),
      ),
    );
    const overlaps = (symbol: string, end: number) => symbol === series.symbol && end > windowStartMsc && end - RECIPE.window * tf < windowEndMsc;
    const matches = found
      .flat()
      .map(({ record, distance }) => {
        const p = record.properties as Record<string, string | number | boolean>;
        return {
          symbol: String(p.symbol),
          broker: p.broker === "*" ? undefined : String(p.broker),
          windowEndMsc: Number(p.window_end),
          distance,
          lastClose: Number(p.last_close),
          outcome: p.outcome_known === true ? Number(p.outcome) : undefined,
        };
      })
      .filter((m) => !overlaps(m.symbol, m.windowEndMsc))
      .sort((a, b) => a.distance - b.distance || a.windowEndMsc - b.windowEndMsc)
      .slice(0, q.k);
    return { windowEndMsc, matches };
  }
}
