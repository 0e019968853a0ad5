import type { ServiceImpl } from "@connectrpc/connect";
import { BackendStatus, CircuitState, type HealthReportService } from "../../gen/neliti/dataplane/v1/ops_pb.js";
import type { BackendName } from "../ports/backend.js";
import { probeBackends } from "../health/health-report.js";
import type { Metrics } from "../observability/metrics.js";
import type { BackendProbe } from "../ports/backend.js";
import { BACKEND_NAME } from "./schema-service.js";

const CIRCUIT = { closed: CircuitState.CLOSED, open: CircuitState.OPEN, "half-open": CircuitState.HALF_OPEN } as const;
const STATUS = { up: BackendStatus.UP, degraded: BackendStatus.DEGRADED, down: BackendStatus.DOWN } as const;
const BACKEND = Object.fromEntries(Object.entries(BACKEND_NAME).map(([k, v]) => [v, Number(k)])) as Record<BackendName, number>;

/** The operators' per-backend report. */
export function healthReportService(
  backends: Record<BackendName, BackendProbe>,
  metrics: Metrics,
  embeddedMode: boolean,
): ServiceImpl<typeof HealthReportService> {
  return {
    async getHealthReport() {
      const reports = await probeBackends(backends, metrics);
      const worst = reports.some((r) => r.status === "down") ? "down" : reports.some((r) => r.status === "degraded") ? "degraded" : "up";
      return {
        overall: STATUS[worst],
        embeddedMode,
        backends: reports.map((r) => ({
          backend: BACKEND[r.backend],
          adapter: r.adapter,
          status: STATUS[r.status],
          latencyMs: r.latencyMs,
          poolInUse: r.pool?.inUse ?? 0,
          poolIdle: r.pool?.idle ?? 0,
          poolMax: r.pool?.max ?? 0,
          circuit: r.circuit === undefined ? CircuitState.UNSPECIFIED : CIRCUIT[r.circuit],
          message: r.message,
        })),
      };
    },
  };
}
