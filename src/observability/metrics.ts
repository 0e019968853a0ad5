import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Every Prometheus metric the service exports, on one registry (served at /metrics). */
export class Metrics {
  readonly registry = new Registry();

  readonly rpcRequests = new Counter({
    name: "neliti_rpc_requests_total",
    help: "RPCs finished, by service, method and gRPC status code",
    labelNames: ["service", "method", "code"] as const,
    registers: [this.registry],
  });

  readonly rpcDuration = new Histogram({
    name: "neliti_rpc_duration_seconds",
    help: "RPC duration from first byte to end of response, by service and method",
    labelNames: ["service", "method"] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly inflightStreams = new Gauge({
    name: "neliti_rpc_inflight_streams",
    help: "Streaming RPCs open now",
    labelNames: ["service", "method"] as const,
    registers: [this.registry],
  });

  readonly messagesReceived = new Counter({
    name: "neliti_rpc_messages_received_total",
    help: "Request messages received on streaming RPCs",
    labelNames: ["service", "method"] as const,
    registers: [this.registry],
  });

  readonly messagesSent = new Counter({
    name: "neliti_rpc_messages_sent_total",
    help: "Response messages sent on streaming RPCs",
    labelNames: ["service", "method"] as const,
    registers: [this.registry],
  });

  readonly rejections = new Counter({
    name: "neliti_rejections_total",
    help: "Requests or batches rejected as invalid, by service and method",
    labelNames: ["service", "method"] as const,
    registers: [this.registry],
  });

  readonly ticksIngested = new Counter({
    name: "neliti_ticks_ingested_total",
    help: "Ticks accepted by ingest, by outcome (durable, spooled)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  readonly backendUp = new Gauge({
    name: "neliti_backend_up",
    help: "1 when the backend answered its last probe",
    labelNames: ["backend", "adapter"] as const,
    registers: [this.registry],
  });

  readonly backendPool = new Gauge({
    name: "neliti_backend_pool_connections",
    help: "Backend pool connections by state (in_use, idle, max)",
    labelNames: ["backend", "adapter", "state"] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "neliti_" });
  }
}
