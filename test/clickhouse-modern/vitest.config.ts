import { defineConfig } from "vitest/config";

// npm run test:clickhouse-modern: the ClickHouse suites against the current engine (chdb).
export default defineConfig({
  test: {
    root: new URL("../../", import.meta.url).pathname,
    include: ["test/contract/tick-store.clickhouse.test.ts", "test/backends/clickhouse/http-requests.test.ts", "test/backends/clickhouse/migration-lock.test.ts", "test/clickhouse-modern/*.test.ts"],
    globalSetup: ["test/clickhouse-modern/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One engine behind one endpoint that answers a request at a time.
    fileParallelism: false,
  },
});
