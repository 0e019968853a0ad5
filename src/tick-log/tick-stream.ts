import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { TickBatchSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import type { TickDomain } from "../domain/ticks.js";
import type { DurableTickListener, TickOrigin } from "../domain/tick-fan-out.js";
import { TICK_TOPIC } from "../config.js";
import type { StreamDomain } from "../domain/stream.js";
import { type Logger, throttledWarning } from "../observability/logger.js";
import { selectRows } from "../tick-block/tick-block.js";
import { tickAt } from "../tick-block/proto-codec.js";
import type { TickBlock } from "../ports/tick-block.js";
import type { IncomingRecord } from "../ports/stream-log.js";
import { Follower } from "../resilience/keep-following.js";

const ORIGIN_HEADER = "origin";
const ORIGIN = "neliti-dataplane";
const BATCH_HEADER = "batch_id";

/**
 * Publishes durable ticks to mt5_tick_stream: one message per symbol per batch (key = symbol, so
 * a symbol's ticks keep their order in one partition; value = a TickBatch). Marked with an origin
 * header so the reverse path below does not ingest them a second time. Never fails ingest: a
 * stream outage costs the fan-out only, and is logged at most every 10 s.
 */
export class TickStreamPublisher implements DurableTickListener {
  private readonly warn: (err: unknown) => void;

  constructor(
    private readonly stream: StreamDomain,
    log: Logger,
  ) {
    this.warn = throttledWarning(log, "publishing ticks to the stream failed");
  }

  onDurable(block: TickBlock, batchId: string, origin: TickOrigin): void {
    if (origin === "stream") return;
    const bySymbol = new Map<string, number[]>();
    const groups = block.symbols.map((symbol) => {
      let rows = bySymbol.get(symbol);
      if (!rows) bySymbol.set(symbol, (rows = []));
      return rows;
    });
    for (let i = 0; i < block.length; i++) groups[block.symbolIndex[i]!]!.push(i);
    const encoder = new TextEncoder();
    // A dictionary may name symbols no tick uses.
    const records = [...bySymbol].filter(([, rows]) => rows.length > 0).map(([symbol, rows]) => {
      const part = selectRows(block, rows);
      const batch = create(TickBatchSchema, {
        batchId: `${batchId}/${symbol}`,
        payload: { case: "rows", value: { ticks: Array.from({ length: part.length }, (_, i) => tickAt(part, i)) } },
      });
      return {
        key: encoder.encode(symbol),
        value: toBinary(TickBatchSchema, batch),
        headers: [
          { key: ORIGIN_HEADER, value: encoder.encode(ORIGIN) },
          { key: BATCH_HEADER, value: encoder.encode(batchId) },
        ],
        timestampMs: 0,
      };
    });
    this.stream.publish(TICK_TOPIC, records).catch(this.warn);
  }
}

/** Whether this service published the record after storing its ticks (TickStreamPublisher). */
export function publishedByService(record: IncomingRecord): boolean {
  const origin = record.headers.find((h) => h.key === ORIGIN_HEADER);
  return origin !== undefined && new TextDecoder().decode(origin.value) === ORIGIN;
}

/**
 * The reverse path, for bridges that publish TickBatch messages to mt5_tick_stream instead of
 * calling gRPC: consumes the topic as a consumer group, ingests each batch, and commits offsets
 * only after the ticks are durable. A message that is not a valid batch is logged and skipped
 * (it would otherwise block the partition forever). Messages this service published itself are
 * skipped: they are durable already.
 */
export class TickStreamConsumer {
  private readonly follower: Follower;

  constructor(
    private readonly stream: StreamDomain,
    private readonly ticks: TickDomain,
    private readonly log: Logger,
    private readonly groupId: string,
  ) {
    this.follower = new Follower("tick stream consumer", log);
  }

  start(): void {
    this.follower.start(() => this.follow());
  }

  stop(): Promise<void> {
    return this.follower.stop();
  }

  private async follow(): Promise<void> {
    const batches = this.stream.subscribe(
      { topic: TICK_TOPIC, start: { kind: "earliest" }, groupId: this.groupId, autoCommit: false, maxBatch: 500 },
      this.follower.signal,
    );
    for await (const { subscriptionId, batch } of batches) {
      const next = new Map<number, bigint>();
      for (const m of batch) {
        next.set(m.partition, m.offset + 1n);
        if (publishedByService(m)) continue;
        let tickBatch;
        try {
          tickBatch = fromBinary(TickBatchSchema, m.value);
        } catch {
          this.log.warn({ partition: m.partition, offset: String(m.offset) }, "skipping a stream message that is not a TickBatch");
          continue;
        }
        const prepared = this.ticks.prepare(tickBatch);
        if (!prepared.ok) {
          this.log.warn({ batchId: tickBatch.batchId, violations: prepared.ack.violations.slice(0, 3) }, "skipping an invalid batch from the stream");
          continue;
        }
        await this.ticks.commit(prepared, this.follower.signal, "stream");
      }
      await this.stream.commit(subscriptionId, [...next].map(([partition, offset]) => ({ partition, offset })));
    }
  }
}
