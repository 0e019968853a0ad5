import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@clickhouse/client";
import { create } from "@bufbuild/protobuf";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AckState, IngestTicksRequestSchema, type IngestTicksRequest } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { connect, TickService } from "../../src/client.js";
import { createTempClickHouseDatabase } from "../harness/clickhouse.js";
import { startServerProcess, type ServerProcess } from "../harness/server-process.js";
import { describeFaults, killBackend, startBackend } from "../harness/stack-control.js";
import { rowsBatch, series } from "../harness/ticks.js";

const TICKS_PER_BATCH = 200;

type Ack = { batchId: string; state: AckState; accepted: number };

/**
 * Streams `batchIds` over one IngestTicks call with up to `window` unacknowledged batches in
 * flight, calling `onAck` after each ack. Returns the acks received (the stream may die).
 */
async function ingest(url: string, batchIds: string[], window: number, onAck: (n: number) => Promise<void> | void): Promise<Ack[]> {
  const client = connect(TickService, { baseUrl: url });
  const acks: Ack[] = [];
  let wake: (() => void) | undefined;
  async function* requests(): AsyncIterable<IngestTicksRequest> {
    for (const id of batchIds) {
      while (acks.length + window <= batchIds.indexOf(id)) await new Promise<void>((r) => (wake = r));
      yield create(IngestTicksRequestSchema, { batch: rowsBatch(id, series(TICKS_PER_BATCH, { symbol: "FAULT" }, Date.now())) });
    }
  }
  try {
    for await (const ack of client.ingestTicks(requests())) {
      acks.push({ batchId: ack.batchId, state: ack.state, accepted: ack.acceptedTicks });
      await onAck(acks.length);
      wake?.();
    }
  } catch {
    // The server died mid-stream: what was acknowledged is what counts.
  }
  return acks;
}

async function waitForRows(chUrl: string, expected: number, timeoutMs = 60_000): Promise<{ rows: number; batches: number; badBatches: number }> {
  const ch = createClient({ url: chUrl });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const [r] = await (
        await ch.query({
          query: "SELECT count() AS rows, uniqExact(batch_id) AS batches FROM ticks",
          format: "JSONEachRow",
          clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
        })
      ).json<{ rows: number; batches: number }>();
      if ((r!.rows >= expected || Date.now() > deadline)) {
        const [bad] = await (
          await ch.query({
            query: `SELECT count() AS n FROM (SELECT batch_id, count() AS c FROM ticks GROUP BY batch_id HAVING c != ${TICKS_PER_BATCH})`,
            format: "JSONEachRow",
            clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
          })
        ).json<{ n: number }>();
        return { rows: Number(r!.rows), batches: Number(r!.batches), badBatches: Number(bad!.n) };
      }
      await new Promise((res) => setTimeout(res, 250));
    }
  } finally {
    await ch.close();
  }
}

describeFaults("clickhouse", "ingest survives faults: nothing acknowledged is lost, nothing is stored twice", (url) => {
  let db: { url: string; drop(): Promise<void> };
  let dataDir: string;
  let server: ServerProcess | undefined;
  const env = () => ({ CLICKHOUSE_URL: db.url, AUTH_JWT_SECRET: "f".repeat(32), AUTH_ENABLED: "false", DATA_DIR: dataDir, IN_MEMORY: "true", INGEST_FLUSH_MS: "2" });

  beforeAll(async () => {
    db = await createTempClickHouseDatabase(url);
    dataDir = await mkdtemp(join(tmpdir(), "neliti-faults-"));
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    startBackend("clickhouse");
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("kill -9 ClickHouse mid-stream: batches are spooled, replayed in order, and stored exactly once", async () => {
    server = await startServerProcess(env());
    const ids = Array.from({ length: 150 }, (_, i) => `ch-kill-${i}`);
    const acks = await ingest(server.url, ids, 4, (n) => {
      if (n === 40) killBackend("clickhouse");
      if (n === 100) startBackend("clickhouse");
    });
    expect(acks).toHaveLength(150);
    const states = new Set(acks.map((a) => a.state));
    expect(states.has(AckState.SPOOLED)).toBe(true);
    expect(states.has(AckState.DURABLE)).toBe(true);
    const acknowledged = acks.reduce((n, a) => n + a.accepted, 0);
    const stored = await waitForRows(db.url, acknowledged);
    expect(stored).toEqual({ rows: acknowledged, batches: 150, badBatches: 0 });
    await server.stop("SIGTERM");
    server = undefined;
  });

  it("kill -9 the service mid-stream, restart it and resend what was not acknowledged: exactly once", async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `svc-kill-${i}`);
    server = await startServerProcess(env());
    const first = await ingest(server.url, ids, 8, async (n) => {
      if (n === 50) await server!.stop("SIGKILL");
    });
    expect(first.length).toBeGreaterThanOrEqual(50);
    expect(first.length).toBeLessThan(120);

    server = await startServerProcess(env());
    const acked = new Set(first.map((a) => a.batchId));
    const second = await ingest(server.url, ids.filter((id) => !acked.has(id)), 8, () => undefined);
    expect(first.length + second.length).toBe(120);
    // Batches the dead server had stored but not yet acknowledged come back as duplicates.
    expect(second.every((a) => a.state === AckState.DURABLE || a.state === AckState.DUPLICATE)).toBe(true);

    const previous = 150 * TICKS_PER_BATCH;
    const stored = await waitForRows(db.url, previous + 120 * TICKS_PER_BATCH);
    expect(stored).toEqual({ rows: previous + 120 * TICKS_PER_BATCH, batches: 270, badBatches: 0 });
  });
});
