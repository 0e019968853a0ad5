import { createClient } from "@clickhouse/client";
import { create } from "@bufbuild/protobuf";
import { AckState, IngestTicksRequestSchema, type TickBatch } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { connect, TickService } from "../../src/client.js";
import { uniqueSuffix } from "./backends.js";
import { startServerProcess, type ServerProcess } from "./server-process.js";

/**
 * Environment for replicas sharing one ClickHouse database, one tick-log topic and one writer
 * group of their own (so suites sharing the broker do not read each other's ticks).
 */
export function replicaEnv(clickhouseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const id = uniqueSuffix();
  return {
    CLICKHOUSE_URL: clickhouseUrl,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, CACHE_NAMESPACE: `replicas-${id}` } : {}),
    AUTH_JWT_SECRET: "r".repeat(32),
    AUTH_ENABLED: "false",
    TICK_LOG: "true",
    TICK_LOG_TOPIC: `neliti-ticks-${id}`,
    TICK_LOG_WRITER_GROUP: `neliti-writer-${id}`,
    TICK_LOG_FLUSH_MS: "200",
    REPLICAS: "3",
    ...extra,
  };
}

/** Starts `n` replicas at once; if one fails to start, the others are stopped (not left running) and its failure thrown. */
export async function startReplicas(n: number, env: Record<string, string>): Promise<ServerProcess[]> {
  const started = await Promise.allSettled(Array.from({ length: n }, () => startServerProcess(env)));
  const failed = started.find((s) => s.status === "rejected");
  if (failed === undefined) return started.map((s) => (s as PromiseFulfilledResult<ServerProcess>).value);
  await Promise.all(started.map((s) => (s.status === "fulfilled" ? s.value.stop("SIGKILL") : undefined)));
  throw failed.reason;
}

/** One batch over IngestTicks; its ack state. */
export async function ingestOne(url: string, batch: TickBatch): Promise<AckState> {
  const client = connect(TickService, { baseUrl: url });
  async function* one() {
    yield create(IngestTicksRequestSchema, { batch });
  }
  for await (const ack of client.ingestTicks(one())) return ack.state;
  throw new Error("no ack");
}

export type Stored = { rows: number; batches: number };

/** Rows and distinct batch ids in the ticks table. */
export async function storedTicks(clickhouseUrl: string, where = "1"): Promise<Stored> {
  const ch = createClient({ url: clickhouseUrl });
  try {
    const [r] = await (
      await ch.query({
        query: `SELECT count() AS rows, uniqExact(batch_id) AS batches FROM ticks WHERE ${where}`,
        format: "JSONEachRow",
        clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
      })
    ).json<{ rows: number; batches: number }>();
    return { rows: Number(r!.rows), batches: Number(r!.batches) };
  } finally {
    await ch.close();
  }
}

/**
 * Polls until `rows` rows are stored (or the time is up), then waits `settleMs` more and counts
 * again, so a late second copy would still be seen. Prints expected against found.
 */
export async function settledTicks(clickhouseUrl: string, rows: number, what: string, timeoutMs = 60_000, settleMs = 1500): Promise<Stored> {
  const deadline = Date.now() + timeoutMs;
  while ((await storedTicks(clickhouseUrl)).rows < rows && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, settleMs));
  const found = await storedTicks(clickhouseUrl);
  console.log(`${what}: rows expected ${rows}, found ${found.rows} (${found.batches} batches)`);
  return found;
}

export const ACKED = new Set([AckState.DURABLE, AckState.DUPLICATE]);
