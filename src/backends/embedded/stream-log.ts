import { randomUUID } from "node:crypto";
import { AlreadyExistsError, NotFoundError } from "../../errors.js";
import type {
  IncomingRecord,
  OutgoingRecord,
  StreamLog,
  SubscribeOptions,
  Subscription,
  TopicSpec,
} from "../../ports/stream-log.js";

type Partition = { base: bigint; records: IncomingRecord[] };
type Topic = { spec: TopicSpec; partitions: Partition[]; nextPartition: number };
type Group = { members: string[]; committed: Map<number, bigint> };

/**
 * In-process partitioned log with offsets and consumer groups (memory only). Keys choose the
 * partition by hash, as Kafka's default partitioner does; keyless records go round-robin. A group
 * splits partitions among its live members (partition p goes to member p mod n).
 */
export class EmbeddedStreamLog implements StreamLog {
  readonly adapter = "embedded";
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new Map<string, Group>();
  private readonly waiters = new Set<() => void>();

  async probe(): Promise<void> {}
  async close(): Promise<void> {
    this.wake();
  }

  async createTopic(spec: TopicSpec): Promise<TopicSpec> {
    if (this.topics.has(spec.name)) throw new AlreadyExistsError(`topic ${spec.name} exists`);
    const partitions = Array.from({ length: spec.partitions }, () => ({ base: 0n, records: [] }));
    this.topics.set(spec.name, { spec: { ...spec }, partitions, nextPartition: 0 });
    return spec;
  }

  async listTopics(): Promise<TopicSpec[]> {
    return [...this.topics.values()].map((t) => t.spec).sort((a, b) => a.name.localeCompare(b.name));
  }

  private topic(name: string): Topic {
    const t = this.topics.get(name);
    if (!t) throw new NotFoundError(`topic ${name} does not exist`);
    return t;
  }

  async publish(topicName: string, records: readonly OutgoingRecord[]): Promise<{ partition: number; offset: bigint }[]> {
    const topic = this.topic(topicName);
    const now = Date.now();
    const results = records.map((r) => {
      const p = r.key.length > 0 ? hashKey(r.key) % topic.partitions.length : topic.nextPartition++ % topic.partitions.length;
      const part = topic.partitions[p]!;
      const offset = part.base + BigInt(part.records.length);
      part.records.push({ ...r, timestampMs: r.timestampMs || now, partition: p, offset });
      return { partition: p, offset };
    });
    this.expire(topic, now);
    this.wake();
    return results;
  }

  private expire(topic: Topic, now: number): void {
    if (topic.spec.retentionMs <= 0) return;
    for (const part of topic.partitions) {
      let drop = 0;
      while (drop < part.records.length && part.records[drop]!.timestampMs < now - topic.spec.retentionMs) drop++;
      if (drop > 0) {
        part.records.splice(0, drop);
        part.base += BigInt(drop);
      }
    }
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private waitForData(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  private startOffset(part: Partition, o: SubscribeOptions): bigint {
    const end = part.base + BigInt(part.records.length);
    switch (o.start.kind) {
      case "earliest":
        return part.base;
      case "latest":
        return end;
      case "offset":
        return o.start.offset < part.base ? part.base : o.start.offset > end ? end : o.start.offset;
      case "timestamp": {
        const at = o.start.timestampMs;
        const i = part.records.findIndex((r) => r.timestampMs >= at);
        return i < 0 ? end : part.base + BigInt(i);
      }
    }
  }

  async subscribe(o: SubscribeOptions, signal: AbortSignal): Promise<Subscription> {
    const topic = this.topic(o.topic);
    const memberId = randomUUID();
    const group = o.groupId === undefined ? undefined : this.joinGroup(o.groupId, memberId);
    const positions = new Map<number, bigint>();
    const owned = (p: number) => !group || p % group.members.length === group.members.indexOf(memberId);
    const positionOf = (p: number): bigint => {
      let pos = positions.get(p);
      if (pos === undefined) {
        pos = group?.committed.get(p) ?? this.startOffset(topic.partitions[p]!, o);
        positions.set(p, pos);
      }
      return pos;
    };
    // Fix standalone start positions now, so "latest" means "after subscribing".
    if (!group) for (let p = 0; p < topic.partitions.length; p++) positionOf(p);

    const commit = async (offsets: readonly { partition: number; offset: bigint }[]) => {
      if (!group) throw new NotFoundError("only group subscriptions commit offsets");
      for (const { partition, offset } of offsets) group.committed.set(partition, offset);
    };
    // One process: a partition's owner changes only when members come or go, and nobody else can
    // be holding it meanwhile, so ownership dates from the subscription.
    const since = performance.now();
    const ownership = () => new Map(topic.partitions.flatMap((_, p) => (group && owned(p) ? [[p, since] as const] : [])));

    const self = this;
    async function* batches(): AsyncGenerator<IncomingRecord[]> {
      try {
        while (!signal.aborted) {
          const batch: IncomingRecord[] = [];
          for (let p = 0; p < topic.partitions.length && batch.length < o.maxBatch; p++) {
            if (!owned(p)) {
              positions.delete(p);
              continue;
            }
            const part = topic.partitions[p]!;
            let pos = positionOf(p);
            if (pos < part.base) pos = part.base;
            let i = Number(pos - part.base);
            while (i < part.records.length && batch.length < o.maxBatch) batch.push(part.records[i++]!);
            positions.set(p, part.base + BigInt(i));
          }
          if (batch.length === 0) {
            await self.waitForData(signal);
            continue;
          }
          yield batch;
          if (group && o.autoCommit) {
            for (const [p, pos] of positions) if (owned(p)) group.committed.set(p, pos);
          }
        }
      } finally {
        if (o.groupId !== undefined) self.leaveGroup(o.groupId, memberId);
      }
    }
    return { batches: batches(), commit, ownership };
  }

  private joinGroup(id: string, memberId: string): Group {
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = { members: [], committed: new Map() }));
    g.members.push(memberId);
    return g;
  }

  private leaveGroup(id: string, memberId: string): void {
    const g = this.groups.get(id);
    if (!g) return;
    g.members = g.members.filter((m) => m !== memberId);
    this.wake();
  }

  /** Members of a group now (for tests: a cancelled subscription leaves none behind). */
  groupMembers(id: string): number {
    return this.groups.get(id)?.members.length ?? 0;
  }
}

/** Kafka's default partitioner hashes keys with murmur2; any stable hash keeps per-key order here. */
function hashKey(key: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of key) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
