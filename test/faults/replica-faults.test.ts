import { toBinary } from "@bufbuild/protobuf";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AckState, TickBatchSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { KafkaStreamLog } from "../../src/backends/kafka/stream-log.js";
import { connect, TickService } from "../../src/client.js";
import { createTempClickHouseDatabase } from "../harness/clickhouse.js";
import { ingestOne, replicaEnv, settledTicks, startReplicas } from "../harness/replicas.js";
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
    const found = await settledTicks(db.url, 300 + sent * 10, `bridge batches (${sent}) through joins, a leave and a kill -9`, 90_000, 3000);
    if (found.rows !== 300 + sent * 10) for (const p of running) console.log(p.logs.filter((l) => /writer|tail|warn|error/i.test(l)).slice(-15).join("\n"));
    expect(found).toEqual({ rows: 300 + sent * 10, batches: 30 + sent });
  });
});
