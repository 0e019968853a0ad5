import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { toBinary } from "@bufbuild/protobuf";
import { createClient } from "@clickhouse/client";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AckState, TickBatchSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { detectCapabilities } from "../../src/backends/clickhouse/capabilities.js";
import { LOCK_TIMING } from "../../src/backends/clickhouse/migration-lock.js";
import { ClickHouseMigrator } from "../../src/backends/clickhouse/migrator.js";
import { KafkaStreamLog } from "../../src/backends/kafka/stream-log.js";
import { connect, TickService } from "../../src/client.js";
import { MIGRATIONS_ROOT, readMigrationFiles } from "../../src/migrations/migration-files.js";
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

describeFaults("clickhouse", "a replica killed -9 while it migrates ClickHouse: the next one takes the lock over and migrates once", (chUrl) => {
  it("takes over the dead replica's migration lock once it has gone 30 s without renewal, finishes the migration, and serves", async () => {
    const fresh = await createTempClickHouseDatabase(chUrl);
    const ch = createClient({ url: fresh.url, request_timeout: 60_000 });
    const files = await readMigrationFiles(join(MIGRATIONS_ROOT, "clickhouse"));
    let first: ChildProcess | undefined;
    let second: ServerProcess | undefined;
    try {
      // As an older build left it: migrated to 2, a few series in the first catalog.
      await new ClickHouseMigrator(ch, await detectCapabilities(ch), files).migrateTo(2);
      const series8 = ["A", "B", "C", "D", "E", "F", "G", "H"].map((symbol, i) => ({ symbol, broker: "X", first_ts: i + 1 }));
      await ch.insert({ table: "tick_series", values: series8, format: "JSONEachRow" });
      // A read holding tick_series for 24 s (8 rows, 3 s each): migration 3's DROP of it waits
      // behind the read, so the first replica is caught mid-migration with the lock in hand.
      const reading = ch
        .query({ query: "SELECT sleepEachRow(3) FROM tick_series", query_id: `hold-${Date.now()}`, clickhouse_settings: { max_block_size: "1" } })
        .then((rs) => rs.text())
        .catch(() => "killed");
      const env = replicaEnv(fresh.url);
      const starting = startServerProcess(env, { onSpawn: (p) => (first = p) }).then(
        () => "started",
        () => "ended",
      );
      const inMigration3 = async () => {
        const rs = await ch.query({
          query:
            "SELECT (SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'schema_migrations_lock_1') AS locked, (SELECT count() FROM system.processes WHERE query = 'DROP TABLE IF EXISTS tick_series') AS dropping",
          format: "JSONEachRow",
        });
        const [r] = await rs.json<{ locked: number | string; dropping: number | string }>();
        return Number(r!.locked) === 1 && Number(r!.dropping) === 1;
      };
      await expect.poll(inMigration3, { timeout: 22_000, interval: 100 }).toBe(true);
      first!.kill("SIGKILL");
      expect(await starting).toBe("ended");
      await ch.command({ query: "KILL QUERY WHERE startsWith(query_id, 'hold-') SYNC" });
      await reading;

      const spawned = performance.now();
      second = await startServerProcess(env, { startMs: 90_000 });
      const waitedMs = performance.now() - spawned;
      console.log(`second replica started ${(waitedMs / 1000).toFixed(1)} s after it was spawned (the lock is stale after 30 s without renewal)`);
      expect(waitedMs).toBeGreaterThanOrEqual(LOCK_TIMING.staleMs);
      const events = await (await ch.query({ query: "SELECT version, applied FROM schema_migrations ORDER BY at_ms", format: "JSONEachRow" })).json();
      expect(events).toEqual(files.map((f) => ({ version: f.version, applied: 1 })));
      const tables = await (await ch.query({ query: "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'schema_migrations_lock%'", format: "JSONEachRow" })).json();
      expect(tables).toEqual([]);
      // And the schema it finished serves ingest.
      expect(await ingestOne(second.url, rowsBatch("after-takeover", series(5, { symbol: "TAKEOVER" }, Date.now() - 10_000)))).toBe(AckState.DURABLE);
      expect(await settledTicks(fresh.url, 5, "ingested after the migration takeover", 30_000, 0)).toEqual({ rows: 5, batches: 1 });
    } finally {
      if (first && first.exitCode === null && first.signalCode === null) first.kill("SIGKILL");
      await second?.stop();
      await ch.close();
      await fresh.drop();
    }
  }, 150_000);
});
