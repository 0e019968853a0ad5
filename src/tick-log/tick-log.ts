import { fromBinary } from "@bufbuild/protobuf";
import { TickBatchSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import type { TickDomain, TickIngest } from "../domain/ticks.js";
import type { StreamDomain } from "../domain/stream.js";
import type { TickFanOut, TickOrigin } from "../domain/tick-fan-out.js";
import type { IncomingRecord, OutgoingRecord } from "../ports/stream-log.js";
import type { TickBlock } from "../ports/tick-block.js";
import type { InsertOutcome } from "../ports/tick-store.js";
import { encodeColumnarBatch } from "../tick-block/columnar-batch-encoder.js";
import { sliceBlock, symbolAt } from "../tick-block/tick-block.js";
import { RecentIds } from "../batching/recent-ids.js";

/**
 * Ticks per log record: 53 bytes a tick in columns keeps a record under the broker's default
 * 1 MiB message size, dictionaries included for ordinary batches.
 */
export const LOG_RECORD_TICKS = 15_000;

/** The record's own id: the batch id, or for a part of a cut batch `<batch id>#<part>/<parts>`. */
const RECORD_ID_HEADER = "batch_id";

/** `id`: the record's own id (what the writer and tails deduplicate by); `batchId`: the batch's. */
export type LoggedBatch = { id: string; batchId: string; block: TickBlock };

/**
 * A batch as tick-log records: a TickBatch in columns (the form bridges may publish themselves),
 * keyed by its first symbol so a retry lands in the partition of its original and a symbol's
 * single-symbol batches keep their order. A batch over LOG_RECORD_TICKS is cut into parts, each a
 * TickBatch with the batch's own id and a record id `<batch id>#<part>/<parts>` in a header; a
 * retry is cut the same way, so each part is recognised alone.
 */
export function logParts(batchId: string, block: TickBlock): LoggedBatch[] {
  if (block.length <= LOG_RECORD_TICKS) return [{ id: batchId, batchId, block }];
  const parts = Math.ceil(block.length / LOG_RECORD_TICKS);
  return Array.from({ length: parts }, (_, i) => ({
    id: `${batchId}#${i + 1}/${parts}`,
    batchId,
    block: sliceBlock(block, i * LOG_RECORD_TICKS, Math.min(block.length, (i + 1) * LOG_RECORD_TICKS)),
  }));
}

export function logRecord({ id, batchId, block }: LoggedBatch): OutgoingRecord {
  const encoder = new TextEncoder();
  return {
    key: encoder.encode(symbolAt(block, 0)),
    value: encodeColumnarBatch(batchId, block),
    headers: [{ key: RECORD_ID_HEADER, value: encoder.encode(id) }],
    timestampMs: 0,
  };
}

/** The record id a service replica wrote in the header, if any (bridges' records have none). */
export function recordIdOf(record: IncomingRecord): string | undefined {
  const header = record.headers.find((h) => h.key === RECORD_ID_HEADER);
  return header && new TextDecoder().decode(header.value);
}

export type LogEntry = { ok: true; id: string; block: TickBlock };

/**
 * A record of the tick log as a valid batch under its record id, or why it is not one (a bridge
 * publishing straight to the topic is not trusted to have validated; its records carry no record
 * id header, and their batch id serves). `named` is the record's header id (recordIdOf), which
 * callers read first to pass over records they know.
 */
export function readLogRecord(ticks: TickDomain, record: IncomingRecord, named: string | undefined): LogEntry | { ok: false; reason: string } {
  let prepared;
  try {
    prepared = ticks.prepare(fromBinary(TickBatchSchema, record.value));
  } catch {
    return { ok: false, reason: "not a TickBatch" };
  }
  if (!prepared.ok) return { ok: false, reason: prepared.ack.violations.map((v) => `${v.field}: ${v.description}`).join("; ") };
  return { ok: true, id: named ?? prepared.batchId, block: prepared.block };
}

/**
 * Blocks this replica appended, by record id, until its writer stores them or newer ones push
 * them out (at most `maxTicks`, oldest first): the writer then takes the validated block instead
 * of decoding and validating the record again, the larger of the two per-tick costs the log
 * adds (bench/RESULTS.md). Records of partitions another replica writes are never taken here and
 * age out.
 */
export class AppendedBlocks {
  private readonly blocks = new Map<string, TickBlock>();
  private ticks = 0;

  constructor(private readonly maxTicks: number) {}

  put(id: string, block: TickBlock): void {
    if (this.blocks.has(id)) return;
    this.blocks.set(id, block);
    this.ticks += block.length;
    for (const [oldest, b] of this.blocks) {
      if (this.ticks <= this.maxTicks) break;
      this.blocks.delete(oldest);
      this.ticks -= b.length;
    }
  }

  take(id: string): TickBlock | undefined {
    const block = this.blocks.get(id);
    if (block) {
      this.blocks.delete(id);
      this.ticks -= block.length;
    }
    return block;
  }
}

/**
 * Batch ids a replica knows are in the log: seen by its tail, or appended by itself (while the
 * append is in flight too, so the tail, which may read the record before the broker's ack
 * arrives, leaves it to the appender).
 */
export class LoggedIds {
  private readonly seen: RecentIds;
  private readonly appending = new Set<string>();

  constructor(max: number) {
    this.seen = new RecentIds(max);
  }

  /** In the log for sure: answered DUPLICATE when sent again. */
  logged(id: string): boolean {
    return this.seen.has(id);
  }

  /** Logged or being appended here: the tail does not deliver it. */
  known(id: string): boolean {
    return this.seen.has(id) || this.appending.has(id);
  }

  add(id: string): void {
    this.seen.add(id);
  }

  async appendingWhile<T>(ids: readonly string[], append: () => Promise<T>): Promise<T> {
    for (const id of ids) this.appending.add(id);
    try {
      const result = await append();
      for (const id of ids) this.seen.add(id);
      return result;
    } finally {
      for (const id of ids) this.appending.delete(id);
    }
  }
}

/**
 * The log as the ack point: a batch is acknowledged DURABLE once the broker has it from every
 * in-sync replica (acks=all, idempotent producer). The ClickHouse writer and the other replicas'
 * tails follow the log from there; this replica fans its own batch out at the ack, without
 * reading it back. A batch whose every part this replica has seen in the log is answered
 * DUPLICATE; a retry it has not seen yet is appended again and the writer and tails drop the
 * second copy, so a batch id is stored once whatever replicas it is sent to.
 */
export class LoggedTickIngest implements TickIngest {
  constructor(
    private readonly stream: StreamDomain,
    private readonly topic: string,
    private readonly ids: LoggedIds,
    private readonly fanOut: TickFanOut,
    private readonly appended: AppendedBlocks,
  ) {}

  async append(batchId: string, block: TickBlock, origin: TickOrigin): Promise<InsertOutcome> {
    const parts = logParts(batchId, block);
    if (parts.every((p) => this.ids.logged(p.id))) return "duplicate";
    await this.ids.appendingWhile(
      parts.map((p) => p.id),
      // A publish per part: the producer merges concurrent ones up to its send size, and parts
      // of one batch sent as one would exceed the broker's message size.
      () => Promise.all(parts.map((p) => this.stream.publish(this.topic, [logRecord(p)]))),
    );
    for (const p of parts) this.appended.put(p.id, p.block);
    this.fanOut.deliver(block, batchId, origin);
    return "stored";
  }
}
