import type { FileHandle } from "node:fs/promises";
import { openJournal } from "./journal.js";
import { SerialQueue } from "../../batching/serial-queue.js";
import { decodeBatchLine, encodeBatchLine } from "../../tick-block/journal-line.js";
import { columnChunkFromRows } from "../../tick-block/column-chunk.js";
import { compareReplayOrder, compareSeries, rowAt } from "../../tick-block/tick-block.js";
import type { TickBlock } from "../../ports/tick-block.js";
import type { AsOfQuery, CandleQuery, CandleRow, InsertOutcome, RangeQuery, ReplayQuery, TickColumnChunk, TickRow, TickStore } from "../../ports/tick-store.js";
import { priceOf } from "../../domain/prices.js";

/**
 * The embedded tick store: ticks in memory per symbol and broker, made durable by an fsync'd
 * append-only journal (one JSON line per batch, holding its id) that is replayed at start. Meant
 * for development and tests; ClickHouse is the production store.
 */
export class EmbeddedTickStore implements TickStore {
  readonly adapter = "embedded";
  private readonly series = new Map<string, Map<string, TickRow[]>>();
  private readonly unsorted = new Set<TickRow[]>();
  private readonly batchIds = new Set<string>();
  private readonly queue = new SerialQueue();

  private constructor(private readonly journal: FileHandle | undefined) {}

  /** `dir` undefined keeps everything in memory. */
  static async open(dir: string | undefined): Promise<EmbeddedTickStore> {
    if (dir === undefined) return new EmbeddedTickStore(undefined);
    const { handle, lines } = await openJournal(dir, "ticks.journal");
    const store = new EmbeddedTickStore(handle);
    for await (const { text } of lines) {
      const entry = decodeBatchLine(text);
      if (!entry) continue;
      store.batchIds.add(entry.batchId);
      for (let i = 0; i < entry.block.length; i++) store.add(rowAt(entry.block, i));
    }
    return store;
  }

  async probe(): Promise<void> {}

  async close(): Promise<void> {
    await this.queue.idle();
    await this.journal?.close();
  }

  insert(batchId: string, block: TickBlock): Promise<InsertOutcome> {
    // Serialized so journal order equals acknowledgement order and a concurrent retry of the
    // same batch id cannot be stored twice.
    return this.queue.run(() => this.insertNow(batchId, block));
  }

  private async insertNow(batchId: string, block: TickBlock): Promise<InsertOutcome> {
    if (this.batchIds.has(batchId)) return "duplicate";
    if (this.journal) {
      await this.journal.appendFile(encodeBatchLine(batchId, block));
      await this.journal.datasync();
    }
    this.batchIds.add(batchId);
    for (let i = 0; i < block.length; i++) this.add(rowAt(block, i));
    return "stored";
  }

  private add(row: TickRow): void {
    let brokers = this.series.get(row.symbol);
    if (!brokers) this.series.set(row.symbol, (brokers = new Map()));
    let list = brokers.get(row.broker);
    if (!list) brokers.set(row.broker, (list = []));
    const tail = list[list.length - 1];
    if (tail && tail.timeMsc > row.timeMsc) this.unsorted.add(list);
    list.push(row);
  }

  /** Every matching series, each sorted by time. */
  private lists(symbol: string, broker: string | undefined): TickRow[][] {
    const brokers = this.series.get(symbol);
    if (!brokers) return [];
    const lists = broker === undefined ? [...brokers.values()] : [brokers.get(broker) ?? []];
    for (const list of lists) {
      if (this.unsorted.delete(list)) list.sort((a, b) => a.timeMsc - b.timeMsc);
    }
    return lists;
  }

  private inRange(q: { symbol: string; broker: string | undefined; startMsc: number; endMsc: number }): TickRow[] {
    const out: TickRow[] = [];
    for (const list of this.lists(q.symbol, q.broker)) {
      let i = lowerBound(list, q.startMsc);
      for (; i < list.length && list[i]!.timeMsc < q.endMsc; i++) out.push(list[i]!);
    }
    return out.sort((a, b) => a.timeMsc - b.timeMsc);
  }

  async recent(symbol: string, broker: string | undefined, limit: number): Promise<TickRow[]> {
    const out: TickRow[] = [];
    for (const list of this.lists(symbol, broker)) out.push(...list.slice(-limit));
    return out.sort((a, b) => b.timeMsc - a.timeMsc).slice(0, limit);
  }

  async *range(q: RangeQuery): AsyncIterable<TickRow[]> {
    const rows = this.inRange(q);
    for (let i = 0; i < rows.length; i += q.chunkSize) yield rows.slice(i, i + q.chunkSize);
  }

  async *rangeColumns(q: RangeQuery): AsyncIterable<TickColumnChunk> {
    for await (const rows of this.range(q)) yield columnChunkFromRows(rows);
  }

  async asOf(q: AsOfQuery): Promise<TickRow[]> {
    const out: TickRow[] = [];
    for (const symbol of q.symbols) {
      for (const list of this.lists(symbol, q.broker)) {
        const at = lowerBound(list, q.timeMsc + 1) - 1;
        if (at >= 0) out.push(list[at]!);
      }
    }
    return out.sort(compareSeries);
  }

  async *replay(q: ReplayQuery): AsyncIterable<TickColumnChunk> {
    const brokers = q.brokers.length === 0 ? undefined : new Set(q.brokers);
    const rows = q.symbols
      .flatMap((symbol) => this.inRange({ symbol, broker: undefined, startMsc: q.startMsc, endMsc: q.endMsc }))
      .filter((r) => !brokers || brokers.has(r.broker))
      .sort(compareReplayOrder)
      .slice(q.skip);
    for (let i = 0; i < rows.length; i += q.chunkSize) yield columnChunkFromRows(rows.slice(i, i + q.chunkSize));
  }

  async candles(q: CandleQuery): Promise<CandleRow[]> {
    const bars = new Map<number, CandleRow>();
    for (const r of this.inRange(q)) {
      const open = Math.floor(r.timeMsc / q.timeframeMs) * q.timeframeMs;
      const price = priceOf(r, q.price);
      const bar = bars.get(open);
      if (!bar) {
        bars.set(open, { openTimeMsc: open, open: price, high: price, low: price, close: price, volume: r.volume, tickCount: 1 });
      } else {
        bar.high = Math.max(bar.high, price);
        bar.low = Math.min(bar.low, price);
        bar.close = price;
        bar.volume += r.volume;
        bar.tickCount++;
      }
    }
    return [...bars.values()].sort((a, b) => a.openTimeMsc - b.openTimeMsc).slice(-q.limit);
  }
}

function lowerBound(list: readonly TickRow[], timeMsc: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.timeMsc < timeMsc) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
