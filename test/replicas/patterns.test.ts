import { afterAll, beforeAll, expect, it } from "vitest";
import { AckState, Timeframe } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { connect, TickService } from "../../src/client.js";
import { backendUrl, describeWithBackend, uniqueSuffix } from "../harness/backends.js";
import { createTempClickHouseDatabase } from "../harness/clickhouse.js";
import { ingestOne, replicaEnv, startReplicas } from "../harness/replicas.js";
import type { ServerProcess } from "../harness/server-process.js";
import { rowsBatch, tick } from "../harness/ticks.js";
import { httpGet } from "../harness/tools.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PERIOD = 40;
const close = (k: number) => {
  const phase = (2 * Math.PI * (k % PERIOD)) / PERIOD;
  return 1.1 * (1 + 0.01 * Math.sin(phase) + 0.004 * Math.cos(3 * phase) + 0.002 * Math.sin(7 * phase));
};

/**
 * Two replicas on ClickHouse, Kafka and Weaviate, both writing the patterns of one series: each
 * builds every bar from the shared tick log and writes every pattern, by the same ids, so each
 * pattern is stored once, and the replica that took the ticks may die without a pattern lost.
 */
describeWithBackend("weaviate", "pattern vectors across replicas (Weaviate, tick log)", (weaviateUrl) => {
  const clickhouse = backendUrl("clickhouse");
  const symbol = `PR${uniqueSuffix().replace(/[^A-Za-z0-9]/g, "").slice(0, 20)}`;
  let db: { url: string; drop(): Promise<void> };
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    if (!clickhouse || !process.env.KAFKA_BROKERS) throw new Error("the pattern replica suite needs ClickHouse and Kafka too");
    db = await createTempClickHouseDatabase(clickhouse);
    const env = replicaEnv(db.url, { WEAVIATE_URL: weaviateUrl, WEAVIATE_GRPC_PORT: process.env.WEAVIATE_GRPC_PORT ?? "50051", PATTERN_SERIES: `${symbol}:M1` });
    [a, b] = (await startReplicas(2, env)) as [ServerProcess, ServerProcess];
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it("both write every pattern, each is stored once, and B has them all after A is killed", async () => {
    const P = Math.floor(Date.now() / HOUR) * HOUR + 3 * HOUR;
    const bars = Array.from({ length: 90 }, (_, k) => tick({ symbol, timeMsc: BigInt(P + k * MINUTE + 1_000), bid: close(k), ask: close(k) + 0.0002 }));
    expect(await ingestOne(a.url, rowsBatch(`${symbol}-bars`, bars))).toBe(AckState.DURABLE);
    const written = async (url: string) => Number(/^neliti_patterns_written_total (\d+)/m.exec((await httpGet(url, "/metrics")).body)?.[1] ?? 0);
    // Each replica writes the 57 patterns (ending with bars 32..88) and outcomes itself.
    await expect.poll(async () => Math.min(await written(a.url), await written(b.url)), { timeout: 20_000 }).toBeGreaterThanOrEqual(57);
    await a.stop("SIGKILL");

    const onB = connect(TickService, { baseUrl: b.url });
    const find = () => onB.findSimilarPatterns({ symbol, timeframe: Timeframe.M1, atTimeMsc: BigInt(P + 89 * MINUTE), k: 100, symbols: [symbol] });
    // The query window's bars come from ClickHouse: B's writer stores them once it owns A's partitions.
    await expect.poll(async () => (await find().catch(() => undefined))?.patterns.length, { timeout: 60_000 }).toBe(25);
    const { patterns } = await find();
    const ends = patterns.map((p) => Number(p.windowEndTimeMsc - BigInt(P)) / MINUTE - 1);
    expect(new Set(ends).size).toBe(25);
    expect(ends.toSorted((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => 32 + i));
    expect(patterns[0]).toMatchObject({ symbol, windowEndTimeMsc: BigInt(P + 49 * MINUTE) });
    expect(patterns[0]!.distance).toBeLessThan(1e-5);
    expect(patterns[0]!.outcome).toBeCloseTo(close(56) / close(48) - 1, 6);
  });
});
