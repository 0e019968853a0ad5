import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Metrics } from "../../src/observability/metrics.js";

type Dashboard = { panels: { title: string; targets: { expr: string }[] }[] };
const dashboard = JSON.parse(readFileSync(new URL("../../scripts/grafana/neliti-dashboard.json", import.meta.url), "utf8")) as Dashboard;

describe("Grafana dashboard (scripts/grafana/neliti-dashboard.json)", () => {
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
  const referenced = new Set(exprs.flatMap((e) => [...e.matchAll(/\bneliti_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ""))));

  it("queries only metrics the service exports", async () => {
    const exported = new Set((await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name));
    expect([...referenced].filter((name) => !exported.has(name))).toEqual([]);
  });

  it("shows ingest rate, ack latency, RPC rates and errors, backend health, circuit state and pool use", () => {
    for (const name of [
      "neliti_ticks_ingested_total",
      "neliti_ingest_ack_seconds",
      "neliti_rpc_requests_total",
      "neliti_rpc_duration_seconds",
      "neliti_backend_up",
      "neliti_backend_circuit_state",
      "neliti_backend_pool_connections",
    ]) {
      expect(referenced, name).toContain(name);
    }
    expect(exprs.some((e) => e.includes('code!="ok"'))).toBe(true);
  });
});
