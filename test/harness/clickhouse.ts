import { createClient } from "@clickhouse/client";
import { join } from "node:path";
import { ClickHouseTickStore } from "../../src/backends/clickhouse/tick-store.js";
import { MIGRATIONS_ROOT, readMigrationFiles } from "../../src/migrations/migration-files.js";
import { backendUrl, uniqueSuffix } from "./backends.js";

/** A database of its own on the real ClickHouse for one suite, dropped afterwards. */
export async function createTempClickHouseDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `neliti_test_${uniqueSuffix()}`;
  const admin = createClient({ url });
  await admin.command({ query: `CREATE DATABASE ${name}` });
  await admin.close();
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return {
    url: dbUrl.toString(),
    drop: async () => {
      // ClickHouse 18.16 drops a table only once the merges running on it stop; after a minute of
      // ingest (the recent bench) that has taken longer than the client's default 30 s. Above 60 s
      // the client warns each time it is created.
      const c = createClient({ url, request_timeout: 60_000 });
      await c.command({ query: `DROP DATABASE IF EXISTS ${name}` });
      await c.close();
    },
  };
}

export async function openClickHouseTickStore(url: string, commit = { maxRows: 100_000, maxDelayMs: 2, maxPendingRows: 1_000_000, concurrency: 2 }) {
  return ClickHouseTickStore.open({ url, maxConnections: 15, requestTimeoutMs: 5000, commit }, await readMigrationFiles(join(MIGRATIONS_ROOT, "clickhouse")));
}

/**
 * For a suite whose server should keep ticks in the real ClickHouse where the stack runs one (CI):
 * the server's environment naming a database of the suite's own, or nothing (embedded) elsewhere.
 */
export async function suiteTickStore(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const url = backendUrl("clickhouse");
  if (!url) return { env: {}, drop: async () => undefined };
  const db = await createTempClickHouseDatabase(url);
  return { env: { CLICKHOUSE_URL: db.url }, drop: db.drop };
}
