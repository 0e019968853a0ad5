import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

const production = { CLICKHOUSE_URL: "http://localhost:8123/default", KAFKA_BROKERS: "localhost:9092", AUTH_JWT_SECRET: "s".repeat(32) };

describe("configuration: replicas and the tick log", () => {
  it("refuses replicas on ClickHouse without the tick log, saying what would break", () => {
    expect(() => loadConfig({ ...production, REPLICAS: "2" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, REPLICAS: "2" })).toThrow(/REPLICAS: 2 replicas need TICK_LOG=true.*stored twice/s);
  });

  it("refuses replicas on embedded stores, which belong to one process", () => {
    expect(() => loadConfig({ REPLICAS: "3" })).toThrow(/REPLICAS: 3 replicas need shared backends/);
  });

  it("refuses the tick log without Kafka, and the stream consumer beside it", () => {
    expect(() => loadConfig({ CLICKHOUSE_URL: production.CLICKHOUSE_URL, AUTH_JWT_SECRET: production.AUTH_JWT_SECRET, TICK_LOG: "true" })).toThrow(/TICK_LOG: needs KAFKA_BROKERS/);
    expect(() => loadConfig({ ...production, TICK_LOG: "true", TICK_STREAM_CONSUME: "true" })).toThrow(/TICK_STREAM_CONSUME: not with TICK_LOG/);
  });

  it("with the tick log, replicas start; ingest publishes to the log instead of after storing", () => {
    const config = loadConfig({ ...production, TICK_LOG: "true", REPLICAS: "3", TICK_LOG_FLUSH_MS: "250" });
    expect(config.replicas).toBe(3);
    expect(config.tickLog).toEqual({ topic: "mt5_tick_stream", writerGroup: "neliti-tick-writer", flushMs: 250, handoverMs: 6000 });
    expect(config.tickStream.publish).toBe(false);
  });

  it("without it, one replica stores directly and publishes after storing, as before", () => {
    const config = loadConfig(production);
    expect(config.tickLog).toBeUndefined();
    expect(config.replicas).toBe(1);
    expect(config.tickStream.publish).toBe(true);
  });

  it("reads PATTERN_SERIES as series and refuses an unknown timeframe, naming the variable", () => {
    expect(loadConfig({ PATTERN_SERIES: "EURUSD:M1,GBPUSD:H4" }).ticks.patternSeries).toEqual([
      { symbol: "EURUSD", timeframeMs: 60_000 },
      { symbol: "GBPUSD", timeframeMs: 14_400_000 },
    ]);
    expect(() => loadConfig({ PATTERN_SERIES: "EURUSD:M2" })).toThrow(/PATTERN_SERIES: SYMBOL:TIMEFRAME entries \(M1, M5, M15, H1, H4, D1\)/);
  });
});

describe("configuration: pools and bulkheads", () => {
  it("defaults to the product's pool table, each bulkhead the pool with ten rounds waiting", () => {
    const config = loadConfig(production);
    expect(config.pools.postgres).toEqual({ min: 5, max: 20, connectTimeoutMs: 10_000, statementTimeoutMs: 10_000 });
    expect(config.pools.clickhouse).toEqual({ max: 15, requestTimeoutMs: 5_000 });
    expect(config.bulkheads.clickhouse).toEqual({ limit: 15, queue: 150 });
    expect(config.bulkheads.redis).toEqual({ limit: 1_000, queue: 1_000 });
  });

  it("takes tuning from the environment and sizes the bulkheads from it", () => {
    const config = loadConfig({ ...production, CLICKHOUSE_MAX_CONNECTIONS: "4", BULKHEAD_QUEUE_ROUNDS: "3", WEAVIATE_TIMEOUT_MS: "2000" });
    expect(config.bulkheads.clickhouse).toEqual({ limit: 4, queue: 12 });
    expect(config.bulkheads.weaviate).toEqual({ limit: 8, queue: 24 });
    expect(config.pools.weaviate.timeoutMs).toBe(2000);
  });

  it("refuses a pool whose minimum is above its maximum, and a handover no longer than an INSERT may take", () => {
    expect(() => loadConfig({ ...production, POSTGRES_POOL_MIN: "30" })).toThrow(/POSTGRES_POOL_MIN: 30 is above POSTGRES_POOL_MAX \(20\)/);
    expect(() => loadConfig({ ...production, TICK_LOG: "true", CLICKHOUSE_REQUEST_TIMEOUT_MS: "6000" })).toThrow(/TICK_LOG_HANDOVER_MS: 6000 must be above CLICKHOUSE_REQUEST_TIMEOUT_MS \(6000\)/);
    expect(() => loadConfig({ ...production, CLICKHOUSE_MAX_CONNECTIONS: "0" })).toThrow(/CLICKHOUSE_MAX_CONNECTIONS/);
  });
});
