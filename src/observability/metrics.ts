import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { BreakerState } from "../resilience/breaker.js";
import { RpcTallies } from "./rpc-tally.js";

const CIRCUIT_VALUE: Record<BreakerState, number> = { closed: 0, "half-open": 1, open: 2 };

/** Every Prometheus metric the service exports, on one registry (served at /metrics). */
export class Metrics {
  readonly registry = new Registry();

  /** Calls by service, method and code, and their durations: counted per method (rpc-tally.ts). */
  readonly rpc = new RpcTallies(this.registry, {
    requests: { name: "neliti_rpc_requests_total", help: "RPCs finished, by service, method and gRPC status code" },
    durations: {
      name: "neliti_rpc_duration_seconds",
      help: "RPC duration from first byte to end of response, by service and method",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    },
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
    help: "Requests, batches and frames refused as invalid, by service and method: INVALID_ARGUMENT answers, and frames the protocol layer refused before any handler (malformed, truncated, oversized)",
    labelNames: ["service", "method"] as const,
    registers: [this.registry],
  });

  readonly ticksIngested = new Counter({
    name: "neliti_ticks_ingested_total",
    help: "Ticks accepted by ingest, by outcome (durable, spooled)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  readonly ingestAck = new Histogram({
    name: "neliti_ingest_ack_seconds",
    help: "Time from receiving a tick batch to acknowledging it, by ack state (durable, spooled, duplicate, rejected)",
    labelNames: ["state"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly tickLogWritten = new Counter({
    name: "neliti_tick_log_written_ticks_total",
    help: "Ticks this replica's tick-log writer stored in the tick store (TICK_LOG)",
    registers: [this.registry],
  });

  readonly tickLogTailed = new Counter({
    name: "neliti_tick_log_tailed_ticks_total",
    help: "Ticks of other replicas' batches this replica's tail read from the tick log and fanned out (TICK_LOG)",
    registers: [this.registry],
  });

  readonly tickLogPending = new Gauge({
    name: "neliti_tick_log_writer_pending_records",
    help: "Tick-log records this replica's writer has read and not yet stored: its lag behind what it fetched (TICK_LOG)",
    registers: [this.registry],
  });

  readonly candleCacheChunks = new Counter({
    name: "neliti_candle_cache_chunks_total",
    help: "Chunks of closed bars (1440 bars of one series) read for candles and indicators, by whether the cache held them",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  readonly candleReads = new Histogram({
    name: "neliti_candle_read_seconds",
    help: "Time to read the bars of a candle or indicator request, by where they came from: all cached chunks, some, or the tick store alone",
    labelNames: ["source"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly candleCacheInvalidations = new Counter({
    name: "neliti_candle_cache_invalidations_total",
    help: "Symbols whose cached bars late ticks made stale (a bump of bars-epoch:{symbol})",
    registers: [this.registry],
  });

  readonly patternsWritten = new Counter({
    name: "neliti_patterns_written_total",
    help: "Pattern vectors (and outcome updates) this replica wrote for PATTERN_SERIES",
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

  private circuits: () => { backend: string; adapter: string; circuit: BreakerState | undefined }[] = () => [];

  readonly circuitState = new Gauge({
    name: "neliti_backend_circuit_state",
    help: "Circuit breaker per backend, read at scrape time: 0 closed, 1 half-open, 2 open",
    labelNames: ["backend", "adapter"] as const,
    registers: [this.registry],
    collect: () => {
      this.circuitState.reset();
      for (const { backend, adapter, circuit } of this.circuits()) {
        if (circuit !== undefined) this.circuitState.set({ backend, adapter }, CIRCUIT_VALUE[circuit]);
      }
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "neliti_" });
  }

  /** Where the circuit gauge reads the breakers' states from. */
  watchCircuits(read: () => { backend: string; adapter: string; circuit: BreakerState | undefined }[]): void {
    this.circuits = read;
  }
}
