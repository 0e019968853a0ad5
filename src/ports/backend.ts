/** The stores behind the services, by the name reports, banners and SchemaService use. */
export type BackendName = "ticks" | "users" | "graph" | "vectors" | "cache" | "stream";

/** What every backend adapter exposes to health reporting. (Closing belongs to whoever opened the connection.) */
export interface BackendProbe {
  /** Short adapter name for banners and reports, e.g. "clickhouse" or "embedded". */
  readonly adapter: string;
  /** Resolves when the backend answers; rejects otherwise. */
  probe(signal?: AbortSignal): Promise<void>;
  /** Connection pool use, where the adapter has a pool. */
  poolStats?(): PoolStats | undefined;
  /** Circuit-breaker state, where the adapter has a breaker. */
  readonly circuit?: "closed" | "open" | "half-open";
}

export type PoolStats = { inUse: number; idle: number; max: number };
