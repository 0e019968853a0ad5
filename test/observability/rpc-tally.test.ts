import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { RpcTallies } from "../../src/observability/rpc-tally.js";

const BUCKETS = [0.001, 0.01, 0.1, 1];
const check = { name: "Check", parent: { typeName: "grpc.health.v1.Health" } };
const get = { name: "Get", parent: { typeName: "neliti.dataplane.v1.CacheService" } };
/** Calls as (method, code, seconds), with durations on, between and beyond the bucket bounds. */
const CALLS = [
  [check, "ok", 0.0005],
  [check, "ok", 0.001],
  [check, "not_found", 0.0100001],
  [get, "ok", 0.1],
  [get, "ok", 2.5],
  [get, "invalid_argument", 0],
  [check, "ok", 0.05],
] as const;

describe("RpcTallies", () => {
  it("prints the same series as prom-client's own Counter and Histogram fed the same calls", async () => {
    const ours = new Registry();
    const tallies = new RpcTallies(ours, { requests: { name: "rpc_requests_total", help: "calls" }, durations: { name: "rpc_duration_seconds", help: "durations", buckets: BUCKETS } });
    const theirs = new Registry();
    const requests = new Counter({ name: "rpc_requests_total", help: "calls", labelNames: ["service", "method", "code"], registers: [theirs] });
    const durations = new Histogram({ name: "rpc_duration_seconds", help: "durations", labelNames: ["service", "method"], buckets: BUCKETS, registers: [theirs] });
    for (const [method, code, seconds] of CALLS) {
      tallies.of(method).finished(code, seconds);
      const labels = { service: method.parent.typeName, method: method.name };
      requests.inc({ ...labels, code });
      durations.observe(labels, seconds);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('rpc_duration_seconds_bucket{le="0.01",service="grpc.health.v1.Health",method="Check"} 2');
    expect(text).toContain('rpc_requests_total{service="neliti.dataplane.v1.CacheService",method="Get",code="ok"} 2');
  });

  it("finds one tally per method descriptor, and a reset zeroes every series", async () => {
    const registry = new Registry();
    const tallies = new RpcTallies(registry, { requests: { name: "r_total", help: "r" }, durations: { name: "d_seconds", help: "d", buckets: BUCKETS } });
    expect(tallies.of(check)).toBe(tallies.of(check));
    tallies.of(check).finished("ok", 0.2);
    expect(await registry.metrics()).toContain('d_seconds_count{service="grpc.health.v1.Health",method="Check"} 1');
    registry.resetMetrics();
    const text = await registry.metrics();
    expect(text).toContain('d_seconds_count{service="grpc.health.v1.Health",method="Check"} 0');
    expect(text).not.toContain("r_total{");
  });
});
