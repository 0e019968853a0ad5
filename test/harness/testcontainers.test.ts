import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { backendEnv, backendsProvider, composeImages } from "./testcontainers.js";

const run = promisify(execFile);

// testcontainers cannot run on these machines (no Docker engine, no image registry): what is tested
// here is everything around it - the choice of provider, the images it would start, the URLs it
// would hand the suites, and what a run does when no container runtime answers.
describe("backends provider", () => {
  it("is native unless BACKENDS_PROVIDER says testcontainers, and refuses anything else", () => {
    expect(backendsProvider({})).toBe("native");
    expect(backendsProvider({ BACKENDS_PROVIDER: "testcontainers" })).toBe("testcontainers");
    expect(() => backendsProvider({ BACKENDS_PROVIDER: "docker" })).toThrow("native or testcontainers");
  });

  it("starts the images docker-compose.yml pins", () => {
    const images = composeImages();
    expect(images.clickhouse).toMatch(/^clickhouse\/clickhouse-server:\d+\.\d+/);
    expect(images.postgres).toBe("postgres:16");
    expect(Object.values(images).every((i) => i.includes(":"))).toBe(true);
  });

  it("hands the suites the same variables scripts/stack.sh exports", () => {
    const env = backendEnv({
      postgres: "postgres://neliti:neliti@localhost:32768/neliti",
      clickhouse: { host: "localhost", httpPort: 32769, user: "neliti", password: "p@ss", database: "neliti" },
      arangodb: { httpUrl: "http://localhost:32770", password: "neliti" },
      weaviate: { http: "localhost:32771", grpc: "localhost:32772" },
      dragonfly: { host: "localhost", port: 32773 },
      redpanda: "localhost:32774",
    });
    expect(env).toEqual({
      POSTGRES_URL: "postgres://neliti:neliti@localhost:32768/neliti",
      CLICKHOUSE_URL: "http://neliti:p%40ss@localhost:32769/neliti",
      ARANGO_URL: "http://root:neliti@localhost:32770/_system",
      WEAVIATE_URL: "http://localhost:32771",
      WEAVIATE_GRPC_PORT: "32772",
      REDIS_URL: "redis://localhost:32773",
      KAFKA_BROKERS: "localhost:32774",
    });
  });

  it("without a container runtime, fails a run that requires backends and says why", async () => {
    // A vitest run of one small suite with the provider on and Docker pointed at nothing: global setup fails before it.
    const env = { ...process.env, BACKENDS_PROVIDER: "testcontainers", DOCKER_HOST: "unix:///nonexistent/docker.sock", REQUIRE_BACKENDS: "postgres" };
    const failed = await run(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "test/backends/clickhouse/native-reader.test.ts"], { env, timeout: 120_000 }).then(
      () => undefined,
      (err: { stdout: string; stderr: string }) => `${err.stdout}\n${err.stderr}`,
    );
    expect(failed).toBeDefined();
    expect(failed).toContain("BACKENDS_PROVIDER=testcontainers could not start the backends");
    expect(failed).toContain("REQUIRE_BACKENDS names postgres");
  }, 150_000);
});
