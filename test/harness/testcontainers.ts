import { readFileSync } from "node:fs";
import { parse } from "yaml";

/**
 * The second provider of backend URLs: where a Docker engine runs, testcontainers starts the real
 * products of docker-compose.yml (same images and versions) and the suites get their URLs in the
 * same variables scripts/stack.sh exports, so the tests are the same tests. Chosen with
 * BACKENDS_PROVIDER=testcontainers (default: native, the URLs already in the environment).
 */
export type Provider = "native" | "testcontainers";

export function backendsProvider(env: NodeJS.ProcessEnv = process.env): Provider {
  const chosen = env.BACKENDS_PROVIDER ?? "native";
  if (chosen !== "native" && chosen !== "testcontainers") throw new Error(`BACKENDS_PROVIDER must be native or testcontainers, not ${chosen}`);
  return chosen;
}

const COMPOSE = new URL("../../docker-compose.yml", import.meta.url);

/** The image of each backend service in docker-compose.yml: one place pins the versions. */
export function composeImages(text = readFileSync(COMPOSE, "utf8")): Record<"clickhouse" | "postgres" | "arangodb" | "weaviate" | "dragonfly" | "redpanda", string> {
  const services = (parse(text) as { services: Record<string, { image?: string }> }).services;
  const image = (name: string) => {
    const i = services[name]?.image;
    if (!i) throw new Error(`docker-compose.yml has no image for ${name}`);
    return i;
  };
  return {
    clickhouse: image("clickhouse"),
    postgres: image("postgres"),
    arangodb: image("arangodb"),
    weaviate: image("weaviate"),
    dragonfly: image("dragonfly"),
    redpanda: image("redpanda"),
  };
}

/** Where each started container answers, as testcontainers reports it. */
export type Endpoints = {
  postgres: string;
  clickhouse: { host: string; httpPort: number; user: string; password: string; database: string };
  arangodb: { httpUrl: string; password: string };
  weaviate: { http: string; grpc: string };
  dragonfly: { host: string; port: number };
  redpanda: string;
};

/** The variables the suites and the service read, from the containers' endpoints. */
export function backendEnv(e: Endpoints): Record<string, string> {
  const ch = e.clickhouse;
  const auth = `${encodeURIComponent(ch.user)}:${encodeURIComponent(ch.password)}`;
  const arango = new URL(e.arangodb.httpUrl);
  arango.username = "root";
  arango.password = e.arangodb.password;
  arango.pathname = "/_system";
  return {
    POSTGRES_URL: e.postgres,
    CLICKHOUSE_URL: `http://${auth}@${ch.host}:${ch.httpPort}/${ch.database}`,
    ARANGO_URL: arango.toString(),
    WEAVIATE_URL: `http://${e.weaviate.http}`,
    WEAVIATE_GRPC_PORT: e.weaviate.grpc.split(":").pop()!,
    REDIS_URL: `redis://${e.dragonfly.host}:${e.dragonfly.port}`,
    KAFKA_BROKERS: e.redpanda,
  };
}

/** Starts every backend in a container; their URLs and a stop for them all. */
export async function startContainers(): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const images = composeImages();
  const [{ GenericContainer, Wait }, { PostgreSqlContainer }, { ClickHouseContainer }, { ArangoDBContainer }, { WeaviateContainer }, { RedpandaContainer }] = await Promise.all([
    import("testcontainers"),
    import("@testcontainers/postgresql"),
    import("@testcontainers/clickhouse"),
    import("@testcontainers/arangodb"),
    import("@testcontainers/weaviate"),
    import("@testcontainers/redpanda"),
  ]);
  const started = await Promise.allSettled([
    new PostgreSqlContainer(images.postgres).withDatabase("neliti").withUsername("neliti").withPassword("neliti").start(),
    new ClickHouseContainer(images.clickhouse).withDatabase("neliti").withUsername("neliti").withPassword("neliti").start(),
    new ArangoDBContainer(images.arangodb).withPassword("neliti").start(),
    new WeaviateContainer(images.weaviate).start(),
    new GenericContainer(images.dragonfly).withExposedPorts(6379).withWaitStrategy(Wait.forLogMessage(/listening on|accepting connections/i)).start(),
    new RedpandaContainer(images.redpanda).start(),
  ]);
  const stop = async () => {
    await Promise.allSettled(started.flatMap((r) => (r.status === "fulfilled" ? [r.value.stop()] : [])));
  };
  const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const value = <T>(r: PromiseSettledResult<T>) => (r as PromiseFulfilledResult<T>).value;
  const [pg, ch, arango, weaviate, dragonfly, redpanda] = [value(started[0]), value(started[1]), value(started[2]), value(started[3]), value(started[4]), value(started[5])];
  const env = backendEnv({
    postgres: pg.getConnectionUri(),
    clickhouse: { host: ch.getHost(), httpPort: ch.getHttpPort(), user: ch.getUsername(), password: ch.getPassword(), database: ch.getDatabase() },
    arangodb: { httpUrl: arango.getHttpUrl(), password: arango.getPassword() },
    weaviate: { http: weaviate.getHttpHostAddress(), grpc: weaviate.getGrpcHostAddress() },
    dragonfly: { host: dragonfly.getHost(), port: dragonfly.getMappedPort(6379) },
    redpanda: redpanda.getBootstrapServers(),
  });
  return { env, stop };
}
