import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // BACKENDS_PROVIDER=testcontainers: the backends of docker-compose.yml, started in containers.
    globalSetup: ["test/harness/global-setup.ts"],
    setupFiles: ["test/harness/wasm-wrappers-setup.ts"],
    projects: [
      {
        extends: true,
        // test/clickhouse-modern runs alone, against the current engine: npm run test:clickhouse-modern.
        test: { name: "main", include: ["test/**/*.test.ts"], exclude: ["test/faults/**", "test/clickhouse-modern/**"], sequence: { groupOrder: 0 } },
      },
      {
        // Fault suites kill and restart the shared real servers: they run alone, after the rest.
        extends: true,
        test: { name: "faults", include: ["test/faults/**/*.test.ts"], fileParallelism: false, testTimeout: 180_000, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
