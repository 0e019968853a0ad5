import { describe } from "vitest";

/**
 * Real backends for tests come from the same environment variables the service reads
 * (scripts/stack.sh env prints them). A suite whose backend is not configured is skipped with a
 * message, unless REQUIRE_BACKENDS names that backend (CI sets it to every backend the stack
 * runs): then the suite fails instead, so CI can never pass by skipping.
 */

export type BackendId = "postgres" | "redis" | "clickhouse" | "kafka" | "weaviate" | "arango";

const ENV: Record<BackendId, string> = {
  postgres: "POSTGRES_URL",
  redis: "REDIS_URL",
  clickhouse: "CLICKHOUSE_URL",
  kafka: "KAFKA_BROKERS",
  weaviate: "WEAVIATE_URL",
  arango: "ARANGO_URL",
};

export function requiredBackends(): Set<string> {
  return new Set(
    (process.env.REQUIRE_BACKENDS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** The backend's URL, or undefined (suite skips). Throws when the backend is required but not configured. */
export function backendUrl(id: BackendId): string | undefined {
  const url = process.env[ENV[id]];
  if (url) return url;
  if (requiredBackends().has(id)) {
    throw new Error(`REQUIRE_BACKENDS names ${id}, but ${ENV[id]} is not set (start it with scripts/stack.sh up ${id})`);
  }
  return undefined;
}

/**
 * describe() for a suite that needs a real backend: runs with its URL, or skips with a clear
 * title when it is not configured and not required.
 */
export function describeWithBackend(id: BackendId, title: string, body: (url: string) => void): void {
  const url = backendUrl(id);
  if (url === undefined) {
    describe.skip(`${title} [skipped: ${ENV[id]} not set; run scripts/stack.sh up ${id} and export its env]`, () => undefined);
    return;
  }
  describe(title, () => body(url));
}

/** A short unique suffix for per-suite isolation (database, key prefix, topic, collection names). */
export function uniqueSuffix(): string {
  return `${process.pid.toString(36)}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
