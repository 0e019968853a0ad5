import { toBinary } from "@bufbuild/protobuf";
import { createClient } from "@clickhouse/client";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AckState, TickBatchSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { KafkaStreamLog } from "../../src/backends/kafka/stream-log.js";
import { connect, TickService } from "../../src/client.js";
import { backendUrl } from "../harness/backends.js";
import { createTempClickHouseDatabase } from "../harness/clickhouse.js";
import { ingestOne, replicaEnv, settledTicks, startReplicas, storedTicks } from "../harness/replicas.js";
import { startServerProcess, type ServerProcess } from "../harness/server-process.js";
import { describeFaults, killBackend, startBackend } from "../harness/stack-control.js";
import { rowsBatch, series } from "../harness/ticks.js";

/**
 * Replicas with the tick log, faults a production deployment meets: a replica killed with
 * acknowledged batches not yet in ClickHouse, and replicas joining and leaving the writer group
 * while a bridge publishes.
 */
describeFaults("clickhouse", "replicas survive faults: nothing acknowledged depends on one replica", (chUrl) => {
  let db: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;
  const running: ServerProcess[] = [];
  const T0 = Date.now() - 120_000;

  beforeAll(async () => {
    db = await createTempClickHouseDatabase(chUrl);
    env = replicaEnv(db.url);
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop("SIGKILL")));
    startBackend("clickhouse");
    await db?.drop();
  });

  it("kill -9 of the replica that acknowledged batches while ClickHouse was down: the others store them, without it", async () => {
    const [a, b] = (await startReplicas(2, env)) as [ServerProcess, ServerProcess];
    running.push(a, b);
    killBackend("clickhouse");
    const states: AckState[] = [];
    for (let i = 0; i < 30; i++) states.push(await ingestOne(a.url, rowsBatch(`held-${i}`, series(10, { symbol: "HELD" }, T0 + i * 100))));
    expect(states.every((s) => s === AckState.DURABLE)).toBe(true);
    await a.stop("SIGKILL");
    startBackend("clickhouse");
    const back = Date.now();
    // The stated bound: the dead member's session (10 s), the handover (6 s), a retry's backoff (5 s) and room.
    const found = await settledTicks(db.url, 300, "acknowledged by a replica killed while ClickHouse was down", 30_000);
    console.log(`visible ${((Date.now() - back) / 1000).toFixed(1)} s after ClickHouse came back (bound 30 s)`);
    if (found.rows !== 300) console.log(b.logs.filter((l) => /writer|tail|warn|error/i.test(l)).slice(-60).join("\n"));
    expect(found).toEqual({ rows: 300, batches: 30 });
    // And served by the survivor.
    const rows = [];
    for await (const m of connect(TickService, { baseUrl: b.url }).queryTicks({ symbol: "HELD", startTimeMsc: BigInt(T0 - 1000), endTimeMsc: BigInt(T0 + 10_000) })) rows.push(...m.ticks);
    expect(rows).toHaveLength(300);
    await b.stop();
  });

  it("a bridge publishing to the log while replicas join and leave the writer group: every batch stored once", async () => {
    const first = await startReplicas(2, env);
    running.push(...first);
    const before = await storedTicks(db.url);
    const kafka = new KafkaStreamLog({ brokers: process.env.KAFKA_BROKERS!.split(","), clientId: "replica-faults-bridge", timeoutMs: 3000, retries: 2 });
    const encoder = new TextEncoder();
    let sent = 0;
    const publishing = (async () => {
      const until = Date.now() + 24_000;
      while (Date.now() < until) {
        const symbol = `BR${sent % 7}`;
        const batch = rowsBatch(`bridge-${sent}`, series(10, { symbol }, T0 + 20_000 + sent * 10));
        await kafka.publish(env.TICK_LOG_TOPIC!, [{ key: encoder.encode(symbol), value: toBinary(TickBatchSchema, batch), headers: [], timestampMs: 0 }]);
        sent++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 4000));
      const joining = await startServerProcess(env);
      running.push(joining);
      await new Promise((r) => setTimeout(r, 6000));
      await joining.stop("SIGTERM");
      await new Promise((r) => setTimeout(r, 3000));
      await first[0]!.stop("SIGKILL");
      running.push(await startServerProcess(env));
      await publishing;
    } finally {
      await kafka.close();
    }
    const found = await settledTicks(db.url, before.rows + sent * 10, `bridge batches (${sent}) through joins, a leave and a kill -9`, 90_000, 3000);
    if (found.rows !== before.rows + sent * 10) {
      for (const p of running) console.log(p.logs.filter((l) => /writer|tail|warn|error/i.test(l)).slice(-15).join("\n"));
      const ch = createClient({ url: db.url });
      const ids = new Set((await (await ch.query({ query: "SELECT DISTINCT batch_id FROM ticks WHERE batch_id LIKE 'bridge-%'", format: "JSONEachRow" })).json<{ batch_id: string }>()).map((r) => r.batch_id));
      await ch.close();
      const missing = Array.from({ length: sent }, (_, i) => i).filter((i) => !ids.has(`bridge-${i}`));
      console.log(`missing bridge batches (symbol BR<i mod 7>): ${missing.map((i) => `${i}:BR${i % 7}`).join(" ")}`);
    }
    expect(found).toEqual({ rows: before.rows + sent * 10, batches: before.batches + sent });
  });
});

describeFaults("kafka", "the tick log's broker down: ingest refuses what the log cannot hold, and stores everything it acknowledged once the broker is back", () => {
  let db: { url: string; drop(): Promise<void> };
  let replica: ServerProcess | undefined;

  beforeAll(async () => {
    db = await createTempClickHouseDatabase(backendUrl("clickhouse")!);
  });
  afterAll(async () => {
    await replica?.stop("SIGKILL");
    startBackend("kafka");
    await db?.drop();
  });

  it("answers UNAVAILABLE with retry-after while the broker is down; retries after it returns are stored once", async () => {
    replica = await startServerProcess(replicaEnv(db.url));
    const T0 = Date.now() - 60_000;
    const batch = (i: number) => rowsBatch(`down-${i}`, series(10, { symbol: "DOWN" }, T0 + i * 100));
    for (let i = 0; i < 10; i++) expect(await ingestOne(replica.url, batch(i))).toBe(AckState.DURABLE);

    killBackend("kafka");
    for (let i = 10; i < 13; i++) {
      const err = await ingestOne(replica.url, batch(i)).then(
        (state) => new Error(`acknowledged ${AckState[state]} with the broker down`),
        (e: unknown) => ConnectError.from(e),
      );
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.Unavailable);
      expect(Number((err as ConnectError).metadata.get("retry-after-ms"))).toBeGreaterThan(0);
    }

    startBackend("kafka");
    // As a bridge would: retry the refused batches until the log takes them.
    for (let i = 10; i < 13; i++) {
      const deadline = Date.now() + 90_000;
      let state: AckState | undefined;
      while (state === undefined && Date.now() < deadline) {
        state = await ingestOne(replica.url, batch(i)).catch(async () => {
          await new Promise((r) => setTimeout(r, 1000));
          return undefined;
        });
      }
      expect(state).toBe(AckState.DURABLE);
    }
    expect(await settledTicks(db.url, 130, "batches around a broker outage, retried by the client", 90_000)).toEqual({ rows: 130, batches: 13 });
  });
});
