import { randomUUID } from "node:crypto";
import { AlreadyExistsError, NotFoundError, ResourceExhaustedError, UnavailableError } from "../errors.js";
import type { IncomingRecord, OutgoingRecord, StreamLog, SubscribeOptions, Subscription, TopicSpec } from "../ports/stream-log.js";
import { TICK_TOPIC } from "../config.js";

const TOPIC_POLL_MS = 200;

export const DEFAULT_TOPICS: readonly Omit<TopicSpec, "replicationFactor">[] = [
  { name: TICK_TOPIC, partitions: 12, retentionMs: 24 * 3_600_000 },
  { name: "trading_signals", partitions: 6, retentionMs: 7 * 24 * 3_600_000 },
];

/**
 * Stream rules over any StreamLog: message size bound checked for the whole batch before
 * anything is published, default replication factor, and a registry of live subscriptions so
 * CommitOffsets can reach the one it names.
 */
export class StreamDomain {
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(
    readonly streamLog: StreamLog,
    private readonly maxMessageBytes: number,
    private readonly replicationFactor: number,
  ) {}

  createTopic(spec: Omit<TopicSpec, "replicationFactor"> & { replicationFactor: number }): Promise<TopicSpec> {
    return this.streamLog.createTopic({ ...spec, replicationFactor: spec.replicationFactor || this.replicationFactor });
  }

  /** Creates the platform's standard topics that do not exist yet. */
  async ensureDefaultTopics(): Promise<void> {
    const existing = new Set((await this.streamLog.listTopics()).map((t) => t.name));
    for (const t of DEFAULT_TOPICS) {
      if (existing.has(t.name)) continue;
      await this.createIfMissing({ ...t, replicationFactor: 0 });
    }
  }

  /**
   * Creates the tick log's topic, shaped like mt5_tick_stream, unless it exists. UNAVAILABLE until
   * its partitions are in the metadata: replicas starting together race to create it, and the
   * loser must not follow a topic the broker has not finished creating.
   */
  async ensureTickLog(topic: string): Promise<void> {
    const partitions = (await this.streamLog.listTopics()).find((t) => t.name === topic)?.partitions;
    if (partitions) return;
    if (partitions === undefined) {
      const shape = DEFAULT_TOPICS.find((t) => t.name === TICK_TOPIC)!;
      await this.createIfMissing({ ...shape, name: topic, replicationFactor: 0 });
    }
    throw new UnavailableError(`topic ${topic} has no partitions yet`, TOPIC_POLL_MS);
  }

  /** Creates a topic; one that exists already (a replica starting alongside made it) is no error. */
  private async createIfMissing(spec: TopicSpec): Promise<void> {
    await this.createTopic(spec).catch((err: unknown) => {
      if (!(err instanceof AlreadyExistsError)) throw err;
    });
  }

  listTopics(): Promise<TopicSpec[]> {
    return this.streamLog.listTopics();
  }

  publish(topic: string, records: readonly OutgoingRecord[]) {
    records.forEach((r, i) => {
      const size = r.key.length + r.value.length + r.headers.reduce((n, h) => n + h.key.length + h.value.length, 0);
      if (size > this.maxMessageBytes) {
        throw new ResourceExhaustedError(`messages[${i}] is ${size} bytes; the maximum is ${this.maxMessageBytes}`);
      }
    });
    return this.streamLog.publish(topic, records);
  }

  /** Yields [subscriptionId, batch] pairs until the signal aborts. */
  async *subscribe(options: SubscribeOptions, signal: AbortSignal): AsyncGenerator<{ subscriptionId: string; batch: IncomingRecord[] }> {
    const sub = await this.streamLog.subscribe(options, signal);
    const id = randomUUID();
    this.subscriptions.set(id, sub);
    try {
      for await (const batch of sub.batches) yield { subscriptionId: id, batch };
    } finally {
      this.subscriptions.delete(id);
    }
  }

  async commit(subscriptionId: string, offsets: readonly { partition: number; offset: bigint }[]): Promise<void> {
    const sub = this.subscriptions.get(subscriptionId);
    if (!sub) throw new NotFoundError(`subscription ${subscriptionId} is not open on this server`);
    await sub.commit(offsets);
  }
}
