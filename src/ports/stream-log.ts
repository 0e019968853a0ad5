import type { BackendProbe } from "./backend.js";

export type TopicSpec = { name: string; partitions: number; retentionMs: number; replicationFactor: number };

export type StreamHeader = { key: string; value: Uint8Array };

export type OutgoingRecord = { key: Uint8Array; value: Uint8Array; headers: StreamHeader[]; timestampMs: number };

export type IncomingRecord = OutgoingRecord & { partition: number; offset: bigint };

export type StartFrom = { kind: "earliest" } | { kind: "latest" } | { kind: "offset"; offset: bigint } | { kind: "timestamp"; timestampMs: number };

export type SubscribeOptions = {
  topic: string;
  start: StartFrom;
  /** undefined: read every partition without a group. */
  groupId: string | undefined;
  autoCommit: boolean;
  maxBatch: number;
};

/** A live subscription: batches of records until the signal aborts or the stream ends. */
export interface Subscription {
  readonly batches: AsyncIterable<IncomingRecord[]>;
  /** Commits next-offsets per partition (group subscriptions only). */
  commit(offsets: readonly { partition: number; offset: bigint }[]): Promise<void>;
  /**
   * Group subscriptions: the partitions this member holds now, each with the time
   * (performance.now()) it got it; undefined while its place in the group is in doubt (no word
   * from the coordinator for half a session: another member may hold them by then). After a
   * rebalance, the partitions it holds are read again from their last commit.
   */
  ownership(): ReadonlyMap<number, number> | undefined;
}

/** A partitioned, replicated log. Publish resolves once the broker acknowledged every record. */
export interface StreamLog extends BackendProbe {
  createTopic(spec: TopicSpec): Promise<TopicSpec>;
  listTopics(): Promise<TopicSpec[]>;
  publish(topic: string, records: readonly OutgoingRecord[]): Promise<{ partition: number; offset: bigint }[]>;
  subscribe(options: SubscribeOptions, signal: AbortSignal): Promise<Subscription>;
}
