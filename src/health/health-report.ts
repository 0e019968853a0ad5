import { performance } from "node:perf_hooks";
import type { BackendName } from "../ports/backend.js";
import type { Metrics } from "../observability/metrics.js";
import type { BackendProbe } from "../ports/backend.js";

export type BackendReport = {
  backend: BackendName;
  adapter: string;
  status: "up" | "degraded" | "down";
  latencyMs: number;
  pool: { inUse: number; idle: number; max: number } | undefined;
  circuit: "closed" | "open" | "half-open" | undefined;
  message: string;
};

const PROBE_TIMEOUT_MS = 2000;
const SLOW_PROBE_MS = 500;

/** Probes every backend concurrently (each bounded by a timeout) and updates the backend gauges. */
export async function probeBackends(backends: Record<BackendName, BackendProbe>, metrics: Metrics): Promise<BackendReport[]> {
  const entries = Object.entries(backends) as [BackendName, BackendProbe][];
  return Promise.all(
    entries.map(async ([backend, probe]): Promise<BackendReport> => {
      const started = performance.now();
      let status: BackendReport["status"] = "up";
      let message = "";
      try {
        await withTimeout(probe.probe(AbortSignal.timeout(PROBE_TIMEOUT_MS)), PROBE_TIMEOUT_MS);
      } catch (err) {
        status = "down";
        message = err instanceof Error ? err.message : String(err);
      }
      const latencyMs = performance.now() - started;
      if (status === "up" && latencyMs > SLOW_PROBE_MS) {
        status = "degraded";
        message = `probe took ${latencyMs.toFixed(0)} ms`;
      }
      const pool = probe.poolStats?.();
      metrics.backendUp.set({ backend, adapter: probe.adapter }, status === "down" ? 0 : 1);
      if (pool) {
        for (const [state, value] of [["in_use", pool.inUse], ["idle", pool.idle], ["max", pool.max]] as const) {
          metrics.backendPool.set({ backend, adapter: probe.adapter, state }, value);
        }
      }
      return { backend, adapter: probe.adapter, status, latencyMs, pool, circuit: probe.circuit, message };
    }),
  );
}

/** Probes that cannot be cancelled (their client ignores the signal) still answer within the timeout. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
