import { randomUUID } from "node:crypto";
import { Admin, Consumer, type Message, type MessagesStream, ProduceAcks, Producer } from "@platformatic/kafka";
import { AlreadyExistsError, DeadlineExceededError, DomainError, NotFoundError, UnavailableError } from "../../errors.js";
import type {
  IncomingRecord,
  OutgoingRecord,
  StreamLog,
  SubscribeOptions,
  Subscription,
  TopicSpec,
} from "../../ports/stream-log.js";
import { BackendTimeoutError, Breaker, type BreakerState } from "../../resilience/breaker.js";
import { partitionOfKey } from "./murmur2.js";
import { SerialSender, type SenderDeadline } from "./serial-sender.js";

export type KafkaOptions = {
  brokers: string[];
  clientId: string;
  /** Per-request timeout; with `retries` it bounds how long Publish can take. */
  timeoutMs: number;
  retries: number;
};

/** A record as the client sends it, its partition chosen. */
type Outgoing = { topic: string; partition: number; key: Buffer; value: Buffer; headers: Map<Buffer, Buffer> | undefined; timestamp: bigint };
type Published = { partition: number; offset: bigint };

const TOPIC_CONFIG = 2;
const HALF_OPEN_AFTER_MS = 2000;

/**
 * What a Publish caller is told when its messages could not be acknowledged, by whether a retry is
 * safe: UNAVAILABLE (with retry-after-ms) when they were never sent or the broker refused them;
 * DEADLINE_EXCEEDED when time ran out while they were being sent, so the broker may have stored
 * them and a retry may store them twice.
 */
export function publishDeadline(budgetMs: number): SenderDeadline {
  return {
    ms: budgetMs,
    notSent: (reason, cause) =>
      new UnavailableError(
        reason === "expired" ? `stream: not sent within ${budgetMs} ms (earlier sends were slow); nothing was published` : "stream: an earlier send failed; nothing of this call was published",
        HALF_OPEN_AFTER_MS,
        { cause },
      ),
    inFlight: () => new DeadlineExceededError(`stream: no acknowledgement within ${budgetMs} ms; the messages may or may not have been published`),
  };
}
/** Under the broker's default message.max.bytes (1 MiB) for one partition's batch, with room for framing. */
export const MAX_SEND_BYTES = 900 * 1024;
const outgoingBytes = (m: Outgoing) => {
  let size = m.key.length + m.value.length + 64;
  if (m.headers) for (const [k, v] of m.headers) size += k.length + v.length;
  return size;
};

/**
 * StreamLog on Redpanda / Kafka through @platformatic/kafka (chosen over kafkajs by measurement,
 * see bench/RESULTS.md). Publishing is idempotent with acks from all in-sync replicas; the
 * partition of every message is chosen here (Java-compatible murmur2 of the key), so the
 * response can give each message its partition and offset. Calls are bounded by a timeout and a
 * circuit breaker: with the broker down, Publish answers UNAVAILABLE instead of waiting.
 */
export class KafkaStreamLog implements StreamLog {
  readonly adapter = "kafka";
  private readonly admin: Admin;
  private producer: Producer | undefined;
  private readonly partitions = new Map<string, number>();
  private readonly rr = new Map<string, number>();
  private readonly breaker: Breaker;
  private readonly consumers = new Set<Consumer>();
  private readonly sender: SerialSender<Outgoing, Published>;
  private readonly deadline: SenderDeadline;

  constructor(private readonly options: KafkaOptions) {
    this.admin = new Admin(this.base("admin"));
    const budgetMs = options.timeoutMs * (options.retries + 1);
    this.breaker = new Breaker("stream", { failures: 3, halfOpenAfterMs: HALF_OPEN_AFTER_MS, timeoutMs: budgetMs });
    this.deadline = publishDeadline(budgetMs);
    this.sender = new SerialSender((items) => this.sendNow(items), outgoingBytes, MAX_SEND_BYTES, this.deadline);
  }

  private base(role: string) {
    return {
      clientId: `${this.options.clientId}-${role}`,
      bootstrapBrokers: this.options.brokers,
      timeout: this.options.timeoutMs,
      retries: this.options.retries,
      retryDelay: 200,
    };
  }

  get circuit(): BreakerState {
    return this.breaker.state;
  }

  async probe(): Promise<void> {
    // forceUpdate: cached metadata would answer for a broker that is gone.
    await this.breaker.run(() => this.admin.metadata({ topics: [], forceUpdate: true }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map(closeForcibly));
    if (this.producer) await closeForcibly(this.producer);
    await this.admin.close().catch(() => undefined);
  }

  async createTopic(spec: TopicSpec): Promise<TopicSpec> {
    try {
      await this.breaker.run(() =>
        this.admin.createTopics({
          topics: [spec.name],
          partitions: spec.partitions,
          replicas: spec.replicationFactor,
          configs: spec.retentionMs === 0 ? [] : [{ name: "retention.ms", value: String(spec.retentionMs) }],
        }),
      );
    } catch (err) {
      if (/already exists/i.test(errorText(err))) throw new AlreadyExistsError(`topic ${spec.name} exists`);
      throw err;
    }
    this.partitions.set(spec.name, spec.partitions);
    return spec;
  }

  async listTopics(): Promise<TopicSpec[]> {
    const names = (await this.breaker.run(() => this.admin.listTopics())).sort();
    if (names.length === 0) return [];
    const meta = await this.breaker.run(() => this.admin.metadata({ topics: names }));
    const configs = await this.breaker.run(() =>
      this.admin.describeConfigs({ resources: names.map((n) => ({ resourceType: TOPIC_CONFIG, resourceName: n, configurationKeys: ["retention.ms"] })) }),
    );
    const retention = new Map(configs.map((c) => [c.resourceName, Number(c.configs.find((x) => x.name === "retention.ms")?.value ?? -1)]));
    return names.map((name) => {
      const t = meta.topics.get(name);
      const partitions = t?.partitionsCount ?? 0;
      // Known from here on: a Publish or Subscribe that follows asks the broker nothing more.
      if (partitions > 0) this.partitions.set(name, partitions);
      return { name, partitions, replicationFactor: t?.partitions[0]?.replicas.length ?? 0, retentionMs: retention.get(name) ?? -1 };
    });
  }

  /** Partition count, from metadata; NOT_FOUND for a topic that does not exist. */
  private async partitionCount(topic: string): Promise<number> {
    const known = this.partitions.get(topic);
    if (known) return known;
    const names = await this.breaker.run(() => this.admin.listTopics());
    if (!names.includes(topic)) throw new NotFoundError(`topic ${topic} does not exist`);
    const meta = await this.breaker.run(() => this.admin.metadata({ topics: [topic], forceUpdate: true }));
    const n = meta.topics.get(topic)?.partitionsCount ?? 0;
    if (n === 0) throw new NotFoundError(`topic ${topic} does not exist`);
    this.partitions.set(topic, n);
    return n;
  }

  async publish(topic: string, records: readonly OutgoingRecord[]): Promise<Published[]> {
    const n = await this.partitionCount(topic);
    let next = this.rr.get(topic) ?? 0;
    const now = BigInt(Date.now());
    // Each record becomes the client's message once, here: the sender merges and sends them as they are.
    const outgoing = records.map(
      (r): Outgoing => ({
        topic,
        partition: r.key.length > 0 ? partitionOfKey(r.key, n) : next++ % n,
        key: view(r.key),
        value: view(r.value),
        headers: r.headers.length === 0 ? undefined : new Map(r.headers.map((h) => [Buffer.from(h.key), view(h.value)])),
        timestamp: r.timestampMs ? BigInt(r.timestampMs) : now,
      }),
    );
    this.rr.set(topic, next);
    return this.sender.submit(outgoing);
  }

  private async sendNow(messages: Outgoing[]): Promise<Published[]> {
    this.producer ??= new Producer({ ...this.base("producer"), idempotent: true, acks: ProduceAcks.ALL });
    const producer = this.producer;
    const result = await this.breaker.run(() => producer.send({ messages })).catch((err: unknown) => {
      // Given up at the timeout with the request possibly at the broker: the outcome is unknown.
      throw err instanceof BackendTimeoutError ? this.deadline.inFlight() : err;
    });
    // The broker returns the base offset per partition; messages of a partition are consecutive
    // in the order they were sent.
    const next = new Map<string, bigint[]>();
    for (const o of result.offsets ?? []) {
      let partitions = next.get(o.topic);
      if (!partitions) next.set(o.topic, (partitions = []));
      partitions[o.partition] = BigInt(o.offset);
    }
    return messages.map(({ topic, partition }) => {
      const partitions = next.get(topic);
      const offset = partitions?.[partition] ?? 0n;
      if (partitions) partitions[partition] = offset + 1n;
      return { partition, offset };
    });
  }

  async subscribe(o: SubscribeOptions, signal: AbortSignal): Promise<Subscription> {
    const partitions = await this.partitionCount(o.topic);
    const group = o.groupId ?? `neliti-reader-${randomUUID()}`;
    const consumer = new Consumer({ ...this.base("consumer"), groupId: group });
    this.consumers.add(consumer);
    const fallback = o.start.kind === "earliest" ? "earliest" : "latest";
    // A member that vanished (a crashed replica, a join cut short by a broker restart) holds its
    // partitions until its session times out: 10 s rather than the usual 45 s, so a group recovers quickly.
    const membership = { sessionTimeout: 10_000, heartbeatInterval: 1_000, rebalanceTimeout: 10_000 };
    let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
    try {
      if (o.groupId !== undefined) {
        stream = await consumer.consume({ topics: [o.topic], mode: "committed", fallbackMode: fallback, autocommit: false, maxWaitTime: 200, ...membership });
      } else if (o.start.kind !== "earliest") {
        // Offsets resolved here, before this returns: the client's own "latest" mode lists them
        // only once the stream has started, after consume() resolved, and a record appended in
        // between would be skipped (a replica's tick-log tail missed a batch sent just after start).
        const offsets = await this.startOffsets(consumer, o, partitions);
        stream = await consumer.consume({ topics: [o.topic], mode: "manual", offsets, autocommit: false, maxWaitTime: 200, ...membership });
      } else {
        stream = await consumer.consume({ topics: [o.topic], mode: fallback, autocommit: false, maxWaitTime: 200, ...membership });
      }
    } catch (err) {
      this.consumers.delete(consumer);
      await closeForcibly(consumer);
      throw unavailable(err);
    }

    const queue: Message[] = [];
    let wake: (() => void) | undefined;
    let failed: unknown;
    stream.on("data", (m: Message) => {
      queue.push(m);
      if (queue.length >= o.maxBatch * 4) stream.pause();
      wake?.();
    });
    stream.on("error", (err: unknown) => {
      failed = err;
      wake?.();
    });
    const onAbort = () => wake?.();
    signal.addEventListener("abort", onAbort);
    const latest = new Map<number, bigint>();

    const commit = async (offsets: readonly { partition: number; offset: bigint }[]) => {
      if (o.groupId === undefined) throw new NotFoundError("only group subscriptions commit offsets");
      await this.breaker.run(() => consumer.commit({ offsets: offsets.map((x) => ({ topic: o.topic, partition: x.partition, offset: x.offset, leaderEpoch: 0 })) }));
    };

    // Ownership as the coordinator last confirmed it: refreshed on every join (each rebalance ends
    // in one) and heartbeat, dated from when this member first saw each partition.
    const owned = new Map<number, number>();
    let lastWord = performance.now();
    const refresh = () => {
      const now = performance.now();
      const current = new Set(consumer.assignments?.find((a) => a.topic === o.topic)?.partitions ?? []);
      for (const p of owned.keys()) if (!current.has(p)) owned.delete(p);
      for (const p of current) if (!owned.has(p)) owned.set(p, now);
    };
    const heard = () => {
      lastWord = performance.now();
      refresh();
    };
    consumer.on("consumer:group:join", heard);
    consumer.on("consumer:heartbeat:end", heard);
    const ownership = (): ReadonlyMap<number, number> | undefined => {
      if (o.groupId === undefined) return new Map();
      refresh();
      return performance.now() - lastWord > membership.sessionTimeout / 2 ? undefined : owned;
    };

    const self = this;
    async function* batches(): AsyncGenerator<IncomingRecord[]> {
      try {
        while (!signal.aborted) {
          if (failed) throw unavailable(failed);
          if (queue.length === 0) {
            await new Promise<void>((r) => (wake = r));
            continue;
          }
          const taken = queue.splice(0, o.maxBatch);
          if (stream.isPaused() && queue.length < o.maxBatch) stream.resume();
          const batch = taken.map((m): IncomingRecord => {
            latest.set(m.partition, m.offset + 1n);
            return {
              partition: m.partition,
              offset: m.offset,
              key: bytesOf(m.key),
              value: bytesOf(m.value),
              headers: [...m.headers].map(([k, v]) => ({ key: k.toString("utf8"), value: bytesOf(v) })),
              timestampMs: Number(m.timestamp),
            };
          });
          yield batch;
          if (o.groupId !== undefined && o.autoCommit) await commit([...latest].map(([partition, offset]) => ({ partition, offset })));
        }
      } finally {
        signal.removeEventListener("abort", onAbort);
        self.consumers.delete(consumer);
        await stream.close().catch(() => undefined);
        // Leaves the group at once, so no member is left behind.
        await closeForcibly(consumer);
      }
    }
    return { batches: batches(), commit, ownership };
  }

  private async startOffsets(consumer: Consumer, o: SubscribeOptions, partitions: number) {
    const all = Array.from({ length: partitions }, (_, p) => p);
    if (o.start.kind === "offset") {
      const offset = o.start.offset;
      return all.map((partition) => ({ topic: o.topic, partition, offset }));
    }
    const ends = await consumer.listOffsets({ topics: [o.topic] });
    if (o.start.kind === "latest") return all.map((partition) => ({ topic: o.topic, partition, offset: ends.get(o.topic)?.[partition] ?? 0n }));
    const at = o.start.kind === "timestamp" ? BigInt(o.start.timestampMs) : -1n;
    const found = await consumer.listOffsets({ topics: [o.topic], timestamp: at });
    const byPartition = found.get(o.topic) ?? [];
    return all.map((partition) => {
      const offset = byPartition[partition];
      // No message at or after the time: start at the end.
      return { topic: o.topic, partition, offset: offset === undefined || offset < 0n ? (ends.get(o.topic)?.[partition] ?? 0n) : offset };
    });
  }
}

/**
 * The bytes as a Buffer without copying them (the request message owns them until the send ends).
 * Bytes decoded from a request are Buffers already (slices of the received one): taken as they are.
 */
const view = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/**
 * A received key, value or header as a plain Uint8Array over the client's bytes, not a copy: a
 * tick log record is a whole columnar batch (hundreds of kilobytes), and copying each one cost
 * every replica's tail and the writer a copy of the ingest volume. The client's values are slices
 * of the fetch responses it read from the socket (or decompressed), which nothing writes into
 * afterwards; a view keeps its response alive only as long as the record is held.
 */
const bytesOf = (b: Buffer | null | undefined): Uint8Array => (b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(0));

/** Closes a client without waiting for in-flight work; never throws. */
function closeForcibly(client: Consumer | Producer): Promise<void> {
  return new Promise((resolve) => client.close(true, () => resolve()));
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const nested = (err as { errors?: unknown[] }).errors?.map(errorText).join("; ") ?? "";
  const cause = err.cause ? errorText(err.cause) : "";
  return `${err.message} ${nested} ${cause}`;
}

function unavailable(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  return new UnavailableError(`stream broker unavailable: ${errorText(err).trim()}`, 2000, { cause: err });
}
