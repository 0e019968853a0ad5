import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import { GroupCommit, type GroupCommitOptions } from "../../batching/group-commit.js";
import { RecentIds } from "../../batching/recent-ids.js";
import type { TickBlock } from "../../ports/tick-block.js";
import type { PoolStats } from "../../ports/backend.js";
import type { AsOfQuery, CandleQuery, CandleRow, InsertOptions, InsertOutcome, PriceField, RangeQuery, ReplayQuery, TickColumnChunk, TickRow, TickStore } from "../../ports/tick-store.js";
import { compareSeries, compareText } from "../../tick-block/tick-block.js";
import { sliceColumnChunk } from "../../tick-block/column-chunk.js";
import { afterSkipping, inReplayOrder } from "../../tick-block/replay-order.js";
import { ClickHouseHttp } from "./http-requests.js";
import { type NativeBlock, readNativeBlocks } from "./native-reader.js";
import { type Capabilities, detectCapabilities } from "./capabilities.js";
import { classify } from "./errors.js";
import { UnavailableError } from "../../errors.js";
import { Breaker, type BreakerState, type Bulkhead } from "../../resilience/breaker.js";
import { ClickHouseMigrator } from "./migrator.js";
import { NativeBlockEncoder, TICK_COLUMNS } from "./native-block.js";
import { type BoundQuery, ChQuery, i64, raw, str, timeMs, u32 } from "./sql.js";
import type { MigrationFile } from "../../migrations/migration-files.js";

export type ClickHouseOptions = {
  url: string;
  /** Pool size and request timeout: config.pools.clickhouse (CLICKHOUSE_MAX_CONNECTIONS, CLICKHOUSE_REQUEST_TIMEOUT_MS). */
  maxConnections: number;
  requestTimeoutMs: number;
  commit: GroupCommitOptions;
  concurrency?: Bulkhead;
};

type Entry = { batchId: string; block: TickBlock; verify: boolean };

const PRICE_SQL: Record<PriceField, string> = { bid: "bid", ask: "ask", mid: "(bid + ask) / 2", last: "last" };

/**
 * Migrations (DDL and their bookkeeping) have a client of their own with this timeout rather than
 * the query timeout: DDL waits for table locks and, on ClickHouse 18.16, fsyncs each table's
 * metadata, so a busy disk at start can hold an answer past a query's 5 s (a replica in CI failed
 * to start on one such CREATE), and a catalog backfill (0002, 0003) reads every tick's symbol,
 * broker and time once, about 40M rows/s here: ten minutes covers some twenty billion ticks.
 * Nothing waits on a migration but the start itself. Progress headers every 10 s keep a long
 * statement's connection from looking idle to anything in between (and @clickhouse/client asks for
 * them above 60 s).
 */
const DDL_TIMEOUT_MS = 600_000;
const DDL_SETTINGS = { send_progress_in_http_headers: 1, http_headers_progress_interval_ms: "10000" } as const;

/** GetTicksAsOf's look-back windows, narrowest first; undefined is all history. */
const AS_OF_WINDOWS_MS = [3_600_000, 86_400_000, 30 * 86_400_000, undefined];

/**
 * TickStore on ClickHouse. Inserts from all streams are group-committed into one INSERT per
 * flush, a Native block built from the batches' columns (see native-block.ts); each row carries
 * its batch id and a materialized view records stored batch ids in tick_batches, so a retried
 * batch is recognised even after a restart. Before each
 * insert the flush asks tick_batches which of its ids are stored already: a flush that failed
 * mid-way (the server died after committing) is then safe to retry.
 */
export class ClickHouseTickStore implements TickStore {
  readonly adapter = "clickhouse";
  private readonly encoder: NativeBlockEncoder;
  /** Batch ids known to be stored: saves a lookup for quick retries. */
  private readonly stored = new RecentIds(200_000);
  private readonly inflight = new Map<string, Promise<InsertOutcome>>();
  private readonly groupCommit: GroupCommit<Entry, InsertOutcome>;
  private readonly time: string;
  private readonly breaker: Breaker;

  private constructor(
    readonly client: ClickHouseClient,
    readonly caps: Capabilities,
    private readonly options: ClickHouseOptions,
    private readonly http: ClickHouseHttp,
    private readonly ddl: ClickHouseClient,
  ) {
    this.groupCommit = new GroupCommit(options.commit, (entries) => this.flush(entries));
    this.encoder = new NativeBlockEncoder(caps.modern ? "DateTime64(3, 'UTC')" : "Int64");
    // The tick time in epoch milliseconds, whatever the column type.
    this.time = caps.modern ? "toUnixTimestamp64Milli(ts)" : "ts";
    // Queries only: inserts go through the spool, which already answers for an absent server.
    // The client's request timeout bounds each query.
    this.breaker = new Breaker("clickhouse", {
      failures: 5,
      halfOpenAfterMs: 2000,
      concurrency: options.concurrency,
      isFailure: (err) => err instanceof UnavailableError,
    });
  }

  get circuit(): BreakerState {
    return this.breaker.state;
  }

  static async open(options: ClickHouseOptions, migrations: readonly MigrationFile[]): Promise<{ store: ClickHouseTickStore; migrator: ClickHouseMigrator }> {
    const settings = { output_format_json_quote_64bit_integers: 0 } as const;
    // Two connections: the migration lock is renewed on one while a long statement holds the other.
    // The client's own log is off: every failure is thrown to the start or the RPC, which report
    // it, and replicas racing for the migration lock expect CREATEs to fail (the client would log
    // each as an ERROR).
    const ddl = createClient({
      url: options.url,
      max_open_connections: 2,
      request_timeout: DDL_TIMEOUT_MS,
      clickhouse_settings: { ...settings, ...DDL_SETTINGS },
      log: { level: ClickHouseLogLevel.OFF },
    });
    try {
      const caps = await detectCapabilities(ddl);
      const migrator = new ClickHouseMigrator(ddl, caps, migrations);
      await migrator.migrateTo();
      const client = createClient({ url: options.url, max_open_connections: options.maxConnections, request_timeout: options.requestTimeoutMs, clickhouse_settings: settings });
      const http = new ClickHouseHttp(options.url, { maxSockets: options.maxConnections, timeoutMs: options.requestTimeoutMs, settings });
      return { store: new ClickHouseTickStore(client, caps, options, http, ddl), migrator };
    } catch (err) {
      await ddl.close();
      throw err;
    }
  }

  async probe(signal?: AbortSignal): Promise<void> {
    const r = await this.client.ping();
    if (!r.success) throw r.error;
    signal?.throwIfAborted();
  }

  poolStats(): PoolStats {
    return { inUse: 0, idle: 0, max: this.options.maxConnections };
  }

  async close(): Promise<void> {
    await this.groupCommit.drain().catch(() => undefined);
    this.http.close();
    await Promise.all([this.client.close(), this.ddl.close()]);
  }

  insert(batchId: string, block: TickBlock, _signal?: AbortSignal, options?: InsertOptions): Promise<InsertOutcome> {
    if (this.stored.has(batchId)) return Promise.resolve("duplicate");
    const running = this.inflight.get(batchId);
    // A retry racing its original: it is a duplicate once the original is stored.
    if (running) return running.then(() => "duplicate" as const);
    const p = this.groupCommit.submit({ batchId, block, verify: options?.verify ?? false }, block.length).finally(() => this.inflight.delete(batchId));
    this.inflight.set(batchId, p);
    return p;
  }

  private async flush(entries: Entry[]): Promise<InsertOutcome[]> {
    try {
      const already = await this.storedAmong(entries.map((e) => e.batchId));
      for (const e of entries) if (e.verify && !already.has(e.batchId) && (await this.rowsPresent(e))) already.add(e.batchId);
      const fresh = entries.filter((e) => !already.has(e.batchId));
      if (fresh.length > 0) {
        const block = this.encoder.encode(fresh);
        // The block declares symbol and broker as String; current servers store them as
        // LowCardinality and convert on insert when told the client does not speak it.
        await this.http.insert(`INSERT INTO ticks (${TICK_COLUMNS}) FORMAT Native`, block, this.caps.modern ? { low_cardinality_allow_in_native_format: 0 } : {});
        // Only after a complete answer: a failed INSERT's buffer may still be in the socket's hands.
        this.encoder.release(block);
      }
      for (const e of entries) this.stored.add(e.batchId);
      return entries.map((e) => (already.has(e.batchId) ? "duplicate" : "stored"));
    } catch (err) {
      throw classify(err);
    }
  }

  private async storedAmong(ids: string[]): Promise<Set<string>> {
    const q = this.query().sql`SELECT batch_id FROM tick_batches WHERE batch_id IN (${ids.map(str)})`;
    const rows = await this.select<{ batch_id: string }>(q.build());
    return new Set(rows.map((r) => r.batch_id));
  }

  /**
   * Whether any row of the batch is in `ticks`. tick_batches is written by a materialized view in
   * the same INSERT, but a server killed mid-INSERT can commit the ticks part without it; so a
   * replay of a batch whose first attempt failed asks the ticks themselves, through the primary
   * key (its symbols and time range), which keeps the lookup small.
   */
  private async rowsPresent(e: Entry): Promise<boolean> {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < e.block.length; i++) {
      lo = Math.min(lo, e.block.timeMsc[i]!);
      hi = Math.max(hi, e.block.timeMsc[i]!);
    }
    const symbols = [...new Set(e.block.symbols)].map(str);
    const q = this.query().sql`SELECT count() AS n FROM ticks WHERE symbol IN (${symbols}) AND ts >= ${timeMs(lo)} AND ts <= ${timeMs(hi)} AND batch_id = ${str(e.batchId)}`;
    const [row] = await this.select<{ n: number }>(q.build());
    return Number(row?.n ?? 0) > 0;
  }

  private query(): ChQuery {
    return new ChQuery(this.caps);
  }

  private select<Row>(q: BoundQuery, signal?: AbortSignal): Promise<Row[]> {
    return this.guarded(signal, () => this.http.rows<Row>(q, signal));
  }

  /** Through the breaker, with errors classified; a call its caller cancelled is not a server failure. */
  private guarded<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    return this.breaker.run(async () => {
      try {
        return await fn();
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        throw classify(err);
      }
    });
  }

  /** `SELECT <tick columns> FROM ticks WHERE <series>` */
  private selectTicks(symbol: string, broker: string | undefined): ChQuery {
    const q = this.query().sql`SELECT symbol, broker, account_type, ${raw(this.time)} AS time_msc, bid, ask, last, volume, flags FROM ticks WHERE symbol = ${str(symbol)}`;
    return broker === undefined ? q : q.sql` AND broker = ${str(broker)}`;
  }

  async recent(symbol: string, broker: string | undefined, limit: number, signal?: AbortSignal): Promise<TickRow[]> {
    const q = this.selectTicks(symbol, broker).sql` ORDER BY ts DESC LIMIT ${u32(limit)}`;
    return (await this.select<RawTick>(q.build(), signal)).map(toRow);
  }

  async *range(r: RangeQuery, signal?: AbortSignal): AsyncIterable<TickRow[]> {
    const q = this.selectTicks(r.symbol, r.broker).sql` AND ts >= ${timeMs(r.startMsc)} AND ts < ${timeMs(r.endMsc)} ORDER BY ts`.build();
    const rs = await this.guarded(signal, () => this.client.query({ query: q.query, query_params: q.params, format: "JSONEachRow", abort_signal: signal }));
    // Rows arrive as the server streams them; at most one chunk is held in memory.
    let chunk: TickRow[] = [];
    for await (const rows of rs.stream<RawTick>()) {
      for (const row of rows) {
        chunk.push(toRow(row.json()));
        if (chunk.length >= r.chunkSize) {
          yield chunk;
          chunk = [];
        }
      }
    }
    if (chunk.length > 0) yield chunk;
  }

  /**
   * The range in ClickHouse's Native format, each block forwarded as columns with no decode per
   * value: every selected column is fixed-width (the broker as an index into the range's brokers,
   * looked up first), so a block's column bytes are the response's arrays as they arrived.
   * Chunks hold at most `chunkSize` ticks.
   */
  async *rangeColumns(r: RangeQuery, signal?: AbortSignal): AsyncIterable<TickColumnChunk> {
    const brokers = r.broker !== undefined ? [r.broker] : await this.brokersOf([r.symbol], r.endMsc, signal);
    if (brokers.length === 0) return;
    yield* atMost(this.columnarRead([r.symbol], brokers, r, r.chunkSize, signal), r.chunkSize);
  }

  /**
   * The series catalog (tick_series_first) says which series have a tick by the time; their last ticks
   * are then looked for in look-back windows, narrowest first (an hour, a day, thirty days, all
   * history), each only for the symbols with series still missing. A series found in a window has
   * its last tick there, and the primary key (symbol, broker, ts) keeps a window's read to the
   * ticks in it. argMax of a tuple takes every value from the same tick.
   * The catalog and the narrowest window are asked at once, since that window's question does not
   * depend on the catalog's answer (a series absent from the catalog has no tick in it either):
   * a call that the first window answers waits for one round trip instead of two.
   */
  async asOf(q: AsOfQuery, signal?: AbortSignal): Promise<TickRow[]> {
    const key = (symbol: string, broker: string) => `${symbol}\u0000${broker}`;
    const lastInWindow = (symbols: readonly string[], lookBack: number | undefined) => {
      const sel = this.query().sql`SELECT symbol, broker, max(${raw(this.time)}) AS time_msc, argMax((account_type, bid, ask, last, volume, flags), ts) AS v FROM ticks WHERE symbol IN (${symbols.map(str)})`;
      if (q.broker !== undefined) sel.sql` AND broker = ${str(q.broker)}`;
      sel.sql` AND ts <= ${timeMs(q.timeMsc)}`;
      if (lookBack !== undefined) sel.sql` AND ts > ${timeMs(q.timeMsc - lookBack)}`;
      sel.sql` GROUP BY symbol, broker`;
      return this.select<{ symbol: string; broker: string; time_msc: number; v: [number, number, number, number, number, number] }>(sel.build(), signal);
    };
    const [narrowest, ...wider] = AS_OF_WINDOWS_MS;
    const [series, first] = await Promise.all([this.seriesBy(q.symbols, q.broker, q.timeMsc, signal), lastInWindow(q.symbols, narrowest)]);
    const missing = new Set(series.map((r) => key(r.symbol, r.broker)));
    const found: TickRow[] = [];
    const take = (rows: Awaited<ReturnType<typeof lastInWindow>>) => {
      for (const { symbol, broker, time_msc, v } of rows) {
        if (!missing.delete(key(symbol, broker))) continue;
        const [accountType, bid, ask, last, volume, flags] = v;
        found.push({ symbol, broker, timeMsc: Number(time_msc), accountType, bid, ask, last, volume, flags });
      }
    };
    take(first);
    for (const lookBack of wider) {
      if (missing.size === 0) break;
      take(await lastInWindow([...new Set([...missing].map((k) => k.split("\u0000")[0]!))], lookBack));
    }
    return found.sort(compareSeries);
  }

  /**
   * The merged series in the replay order, read in the Native format like rangeColumns: symbol
   * and broker as indexes into the request's symbols and the range's brokers.
   */
  async *replay(r: ReplayQuery, signal?: AbortSignal): AsyncIterable<TickColumnChunk> {
    const brokers = r.brokers.length > 0 ? [...r.brokers] : await this.brokersOf(r.symbols, r.endMsc, signal);
    if (brokers.length === 0) return;
    // ClickHouse sorts by time alone and ties are ordered here (replay-order.ts).
    yield* atMost(afterSkipping(inReplayOrder(this.columnarRead(r.symbols, brokers, r, r.chunkSize, signal)), r.skip), r.chunkSize);
  }

  /**
   * The broker dictionary of a columnar read: every broker the series catalog holds for the
   * symbols with a tick before the range's end, sorted. A superset of the brokers in the range
   * (some may have no tick in it), read from the catalog because `SELECT DISTINCT broker` over the
   * range reads every tick's broker first: 67 ms of a 2M-tick read's 0.57 s (bench/RESULTS.md,
   * 2026-12-05). The read itself keeps to these brokers, so a series whose first tick lands after
   * this lookup cannot reach the chunks without an index.
   */
  private async brokersOf(symbols: readonly string[], endMsc: number, signal?: AbortSignal): Promise<string[]> {
    const series = await this.seriesBy(symbols, undefined, endMsc - 1, signal);
    return [...new Set(series.map((s) => s.broker))].sort(compareText);
  }

  /** The series of `symbols` (of `broker` only, when set) whose first tick is at or before `timeMsc`, from the catalog. */
  private seriesBy(symbols: readonly string[], broker: string | undefined, timeMsc: number, signal?: AbortSignal): Promise<{ symbol: string; broker: string }[]> {
    const q = this.query().sql`SELECT symbol, broker FROM tick_series_first WHERE symbol IN (${symbols.map(str)})`;
    if (broker !== undefined) q.sql` AND broker = ${str(broker)}`;
    q.sql` GROUP BY symbol, broker HAVING minMerge(first_ts) <= ${timeMs(timeMsc)}`;
    return this.select<{ symbol: string; broker: string }>(q.build(), signal);
  }

  /**
   * The ticks of `symbols` and `brokers` in [startMsc, endMsc), ordered by time, read in the Native
   * format: each block (of about `blockSize` ticks) as a column chunk, symbol and broker as indexes
   * into `symbols` and `brokers`. An index that is the same on every row (one symbol, one broker)
   * is not asked of ClickHouse; columnChunk fills it with zeros.
   */
  private async *columnarRead(symbols: readonly string[], brokers: string[], range: { startMsc: number; endMsc: number }, blockSize: number, signal?: AbortSignal): AsyncIterable<TickColumnChunk> {
    const q = this.query().sql`SELECT `;
    if (symbols.length > 1) q.sql`toUInt32(indexOf([${symbols.map(str)}], symbol) - 1) AS symbol_index, `;
    if (brokers.length > 1) q.sql`toUInt32(indexOf([${brokers.map(str)}], broker) - 1) AS broker_index, `;
    q.sql`account_type, ${raw(this.time)} AS time_msc, bid, ask, last, volume, flags FROM ticks WHERE symbol IN (${symbols.map(str)}) AND broker IN (${brokers.map(str)})`;
    const bound = q.sql` AND ts >= ${timeMs(range.startMsc)} AND ts < ${timeMs(range.endMsc)} ORDER BY ts FORMAT Native`.build();
    const answer = await this.guarded(signal, () => this.http.stream(bound, { max_block_size: blockSize }, signal));
    const symbolList = [...symbols];
    for await (const block of readNativeBlocks(answer)) yield columnChunk(block, symbolList, brokers);
  }

  async candles(c: CandleQuery, signal?: AbortSignal): Promise<CandleRow[]> {
    const t = raw(this.time);
    const p = raw(PRICE_SQL[c.price]);
    const tf = i64(c.timeframeMs);
    const q = this.query()
      .sql`SELECT intDiv(${t}, ${tf}) * ${tf} AS open_time, argMin(${p}, ${t}) AS open, max(${p}) AS high, min(${p}) AS low, argMax(${p}, ${t}) AS close, sum(volume) AS volume, count() AS tick_count FROM ticks WHERE symbol = ${str(c.symbol)}`;
    if (c.broker !== undefined) q.sql` AND broker = ${str(c.broker)}`;
    q.sql` AND ts >= ${timeMs(c.startMsc)} AND ts < ${timeMs(c.endMsc)} GROUP BY open_time ORDER BY open_time DESC LIMIT ${u32(c.limit)}`;
    const rows = await this.select<{ open_time: number; open: number; high: number; low: number; close: number; volume: number; tick_count: number }>(q.build(), signal);
    return rows
      .map((r) => ({ openTimeMsc: Number(r.open_time), open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume, tickCount: Number(r.tick_count) }))
      .reverse();
  }
}

/**
 * Chunks cut into pieces of at most `max` ticks: max_block_size caps ClickHouse 18.16's output
 * blocks, but current servers may send larger ones (seen with the current engine through chdb),
 * and a replay's runs of equal times are joined across blocks.
 */
async function* atMost(chunks: AsyncIterable<TickColumnChunk>, max: number): AsyncIterable<TickColumnChunk> {
  for await (const c of chunks) {
    if (c.length <= max) yield c;
    else for (let i = 0; i < c.length; i += max) yield sliceColumnChunk(c, i, Math.min(c.length, i + max));
  }
}

/**
 * A Native block of the tick columns as a column chunk. `symbol_index` and `broker_index` point
 * into `symbols` and `brokers`; a block without one of them (one symbol, one broker) gets zeros.
 */
function columnChunk(block: NativeBlock, symbols: string[], brokers: string[]): TickColumnChunk {
  const c = (name: string) => block.columns.get(name)!;
  const zeros = (name: string) => block.columns.get(name) ?? new Uint8Array(block.rows * 4);
  return {
    length: block.rows,
    symbols,
    brokers,
    symbolIndex: zeros("symbol_index"),
    brokerIndex: zeros("broker_index"),
    accountType: c("account_type"),
    timeMsc: c("time_msc"),
    bid: c("bid"),
    ask: c("ask"),
    last: c("last"),
    volume: c("volume"),
    flags: c("flags"),
  };
}

type RawTick = { symbol: string; broker: string; account_type: number; time_msc: number; bid: number; ask: number; last: number; volume: number; flags: number };

const toRow = (r: RawTick): TickRow => ({
  symbol: r.symbol,
  broker: r.broker,
  accountType: r.account_type,
  timeMsc: Number(r.time_msc),
  bid: r.bid,
  ask: r.ask,
  last: r.last,
  volume: r.volume,
  flags: r.flags,
});

