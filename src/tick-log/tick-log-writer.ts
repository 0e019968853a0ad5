import type { TickDomain } from "../domain/ticks.js";
import type { StreamDomain } from "../domain/stream.js";
import { type Logger, throttledWarning } from "../observability/logger.js";
import type { IncomingRecord, Subscription } from "../ports/stream-log.js";
import type { TickBlock } from "../ports/tick-block.js";
import type { TickStore } from "../ports/tick-store.js";
import { Follower } from "../resilience/keep-following.js";
import { type AppendedBlocks, readLogRecord, recordIdOf } from "./tick-log.js";
import { publishedByService } from "./tick-stream.js";

export type TickLogWriterOptions = {
  topic: string;
  group: string;
  /** Time from a batch's arrival to its INSERT, so ClickHouse gets few, large inserts. */
  flushMs: number;
  /**
   * How long a newly assigned partition waits before its first INSERT: longer than an INSERT can
   * take, so one its previous owner sent just before losing it has landed (or failed) by then.
   */
  handoverMs: number;
};

/** What the writer reports as it goes (metrics). */
export type TickLogWriterObserver = { stored(ticks: number): void; pending(records: number): void };

/** Record bytes that end a flush's wait early: bounds what a writer catching up holds. */
const FLUSH_BYTES = 32 * 1024 * 1024;
/** How long records of a partition this member lost are kept in case it comes back (see flush). */
const RELEASE_AFTER_MS = 60_000;
const RETRY_MS = 500;
const RETRY_MAX_MS = 5000;

/**
 * Drains the tick log into the tick store as a consumer group: each partition has one owner,
 * which inserts a flush's batches together (one INSERT per flush per replica) and commits the
 * offsets only after the store has them. Nothing depends on the replica that acknowledged a
 * batch: while ClickHouse is down the log holds the batches, and a replica that dies hands its
 * partitions to the others when its session times out.
 *
 * A batch id is stored once: retries appended twice land in one partition and one flush keeps
 * the first; the store skips ids its tick_batches record holds (a partition's new owner re-reads
 * from the last commit). Two owners of one partition at once are kept apart by time rather than
 * by ClickHouse (18.16 has no insert deduplication for plain MergeTree): a member inserts only for
 * partitions the coordinator confirmed within half a session, rechecked just before each INSERT,
 * and a new owner waits `handoverMs` before its first.
 */
export class TickLogWriter {
  private readonly follower: Follower;
  private readonly warn: (err: unknown) => void;
  private readonly commitWarn: (err: unknown) => void;
  /** When each held record of a partition this member does not hold was first found so. */
  private readonly unowned = new WeakMap<IncomingRecord, number>();

  constructor(
    private readonly stream: StreamDomain,
    private readonly store: TickStore,
    private readonly ticks: TickDomain,
    private readonly appended: AppendedBlocks,
    private readonly log: Logger,
    private readonly options: TickLogWriterOptions,
    private readonly observer: TickLogWriterObserver = { stored: () => undefined, pending: () => undefined },
  ) {
    this.warn = throttledWarning(log, "the tick-log writer skipped a record that is not a valid batch");
    this.commitWarn = throttledWarning(log, "the tick-log writer could not commit its offsets (a rebalance?); its records will be read again");
    this.follower = new Follower("tick-log writer", log);
  }

  start(): void {
    this.follower.start(() => this.follow());
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }

  private async follow(): Promise<void> {
    // Ends this subscription (and its group membership) whenever following stops, so a restart
    // never leaves a member behind holding partitions nobody reads.
    const local = new AbortController();
    const signal = AbortSignal.any([this.follower.signal, local.signal]);
    const sub = await this.stream.streamLog.subscribe({ topic: this.options.topic, start: { kind: "earliest" }, groupId: this.options.group, autoCommit: false, maxBatch: 500 }, signal);
    const batches = sub.batches[Symbol.asyncIterator]();
    let next = batches.next();
    try {
      let pending: IncomingRecord[] = [];
      let pendingBytes = 0;
      let firstAt = 0;
      while (!signal.aborted) {
        const wait = pending.length === 0 ? undefined : Math.max(0, firstAt + this.options.flushMs - performance.now());
        const got = await Promise.race([next, ...(wait === undefined ? [] : [sleep(wait)])]);
        if (got) {
          if (got.done) return;
          if (pending.length === 0) firstAt = performance.now();
          pending.push(...got.value);
          for (const r of got.value) pendingBytes += r.value.length;
          this.observer.pending(pending.length);
          next = batches.next();
          if (pendingBytes < FLUSH_BYTES && performance.now() - firstAt < this.options.flushMs) continue;
        }
        pending = await this.flush(sub, pending);
        pendingBytes = pending.reduce((n, r) => n + r.value.length, 0);
        this.observer.pending(pending.length);
        // Records still waiting are looked at again one flush interval later.
        firstAt = performance.now();
      }
    } finally {
      this.observer.pending(0);
      local.abort();
      await next.catch(() => undefined);
    }
  }

  /**
   * Stores the records of partitions this member may write now and commits their offsets; returns
   * those to look at again later: partitions in their handover wait, all of them while its
   * membership is in doubt, and partitions it does not hold now, for RELEASE_AFTER_MS. A
   * partition that comes back within that time may not be read again from its commit (the
   * client keeps its fetch position across some rebalances), so its records must still be here;
   * one that does not has a new owner, which read it from the last commit.
   */
  private async flush(sub: Subscription, records: IncomingRecord[]): Promise<IncomingRecord[]> {
    let backoff = RETRY_MS;
    for (let attempt = 0; ; attempt++) {
      // Decided again before every attempt: the check closest to the INSERT.
      const { ready, waiting } = this.byOwnership(sub, records);
      if (ready.length === 0) return waiting;
      const { entries, offsets } = this.read(ready);
      let outcomes;
      try {
        outcomes = await Promise.all([...entries].map(([id, block]) => this.store.insert(id, block, this.follower.signal, { verify: attempt > 0 })));
      } catch (err) {
        if (this.follower.signal.aborted) throw err;
        this.log.warn({ err: err instanceof Error ? err.message : String(err), batches: entries.size }, "tick-log writer waiting for the tick store");
        await sleep(backoff);
        backoff = Math.min(backoff * 2, RETRY_MAX_MS);
        continue;
      }
      const blocks = [...entries.values()];
      this.observer.stored(outcomes.reduce((n, outcome, i) => (outcome === "stored" ? n + blocks[i]!.length : n), 0));
      // A commit refused mid-rebalance costs a re-read, which the store recognises: not a failure.
      await sub.commit([...offsets].map(([partition, offset]) => ({ partition, offset }))).catch(this.commitWarn);
      return waiting;
    }
  }

  /** The valid batches among `records` (first copy of each id) and the next offset per partition. */
  private read(records: IncomingRecord[]): { entries: Map<string, TickBlock>; offsets: Map<number, bigint> } {
    const entries = new Map<string, TickBlock>();
    const offsets = new Map<number, bigint>();
    for (const r of records) {
      const next = offsets.get(r.partition);
      if (next === undefined || r.offset + 1n > next) offsets.set(r.partition, r.offset + 1n);
      // Published after a direct insert by a replica not using the log: stored already.
      if (publishedByService(r)) continue;
      const id = recordIdOf(r);
      const mine = id === undefined ? undefined : this.appended.take(id);
      if (id !== undefined && mine) {
        if (!entries.has(id)) entries.set(id, mine);
        continue;
      }
      const read = readLogRecord(this.ticks, r, id);
      if (!read.ok) {
        this.warn(read.reason);
        continue;
      }
      if (!entries.has(read.id)) entries.set(read.id, read.block);
    }
    return { entries, offsets };
  }

  private byOwnership(sub: Subscription, records: IncomingRecord[]): { ready: IncomingRecord[]; waiting: IncomingRecord[] } {
    const owned = sub.ownership();
    if (owned === undefined) return { ready: [], waiting: records };
    const now = performance.now();
    const ready: IncomingRecord[] = [];
    const waiting: IncomingRecord[] = [];
    let released = 0;
    for (const r of records) {
      const since = owned.get(r.partition);
      if (since !== undefined) {
        (now - since >= this.options.handoverMs ? ready : waiting).push(r);
        this.unowned.delete(r);
        continue;
      }
      const first = this.unowned.get(r) ?? now;
      this.unowned.set(r, first);
      if (now - first < RELEASE_AFTER_MS) waiting.push(r);
      else released++;
    }
    if (released > 0) this.log.info({ records: released }, "tick-log writer released records of partitions another replica now writes");
    return { ready, waiting };
  }
}

const sleep = (ms: number) => new Promise<undefined>((r) => setTimeout(() => r(undefined), ms));
