import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import weaviate from "weaviate-client";
import { Backend } from "../../gen/neliti/dataplane/v1/ops_pb.js";
import { VertexKind } from "../../gen/neliti/dataplane/v1/graph_pb.js";
import { CacheService, connect, GraphService, VectorService } from "../../src/client.js";
import { uniqueSuffix } from "../harness/backends.js";
import { faultDrill, printDrill } from "../harness/fault-drill.js";
import { createTempDatabase } from "../harness/postgres.js";
import { startServerProcess, type ServerProcess } from "../harness/server-process.js";
import { describeFaults, startBackend } from "../harness/stack-control.js";

const SECRET = { AUTH_JWT_SECRET: "f".repeat(32), AUTH_ENABLED: "false" };

describeFaults("postgres", "PostgreSQL killed under load and restarted: graph and users recover, nothing acknowledged is lost", (url) => {
  let server: ServerProcess | undefined;
  let db: { url: string; drop(): Promise<void> } | undefined;
  beforeAll(async () => {
    db = await createTempDatabase(url);
    server = await startServerProcess({ POSTGRES_URL: db.url, HEALTH_PROBE_INTERVAL_MS: "500", ...SECRET });
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    startBackend("postgres");
    await db?.drop();
  });

  it("answers UNAVAILABLE while it is down, detects it within seconds, recovers without a restart, loses nothing", async () => {
    const graph = connect(GraphService, { baseUrl: server!.url });
    const cache = connect(CacheService, { baseUrl: server!.url });
    const run = uniqueSuffix();
    const result = await faultDrill(server!.url, {
      backend: "postgres",
      reportAs: Backend.GRAPH,
      write: async (i) => {
        const key = `s-${run}-${i}`;
        await graph.upsertVertices({ vertices: [{ ref: { kind: VertexKind.STRATEGY, key }, properties: { i } }] }, { timeoutMs: 15_000 });
        return key;
      },
      present: (key) => graph.getVertex({ ref: { kind: VertexKind.STRATEGY, key } }).then((r) => r.vertex?.ref?.key === key, () => false),
      other: () => cache.set({ key: `other-${run}`, value: new Uint8Array([1]) }),
    });
    printDrill(result);
    expect(result.failedOtherwise).toEqual([]);
    expect(result.detectMs).toBeLessThan(10_000);
    expect(result.recoverMs).toBeLessThan(15_000);
    expect(result.failed).toBeGreaterThan(0);
    expect(result.othersFailed).toBe(0);
    expect(result.lost).toBe(0);
  });
});

describeFaults("weaviate", "Weaviate killed under load and restarted: vectors recover, nothing acknowledged is lost", (url) => {
  let server: ServerProcess | undefined;
  const collection = `Fault${uniqueSuffix()}`;
  beforeAll(async () => {
    server = await startServerProcess({ WEAVIATE_URL: url, WEAVIATE_GRPC_PORT: process.env.WEAVIATE_GRPC_PORT ?? "50051", HEALTH_PROBE_INTERVAL_MS: "500", ...SECRET });
    await connect(VectorService, { baseUrl: server.url }).ensureCollection({ name: collection, dimension: 4, properties: [] });
  });
  afterAll(async () => {
    startBackend("weaviate");
    await server?.stop("SIGKILL");
    const u = new URL(url);
    const grpcPort = Number(process.env.WEAVIATE_GRPC_PORT ?? 50051);
    const admin = await weaviate.connectToCustom({ httpHost: u.hostname, httpPort: Number(u.port), grpcHost: u.hostname, grpcPort });
    await admin.collections.delete(collection);
    await admin.close();
  });

  it("answers UNAVAILABLE while it is down, detects it within seconds, recovers without a restart, loses nothing", async () => {
    const vectors = connect(VectorService, { baseUrl: server!.url });
    const cache = connect(CacheService, { baseUrl: server!.url });
    const result = await faultDrill(server!.url, {
      backend: "weaviate",
      reportAs: Backend.VECTORS,
      write: async (i) => {
        const id = randomUUID();
        await vectors.upsertObjects({ collection, objects: [{ id, vector: [1, i % 7, 0.5, 0.25], properties: {} }] }, { timeoutMs: 20_000 });
        return id;
      },
      present: (id) => vectors.getObject({ collection, id }).then((r) => r.object?.id === id, () => false),
      other: () => cache.get({ key: "other" }),
    });
    printDrill(result);
    expect(result.failedOtherwise).toEqual([]);
    expect(result.detectMs).toBeLessThan(10_000);
    expect(result.recoverMs).toBeLessThan(20_000);
    expect(result.failed).toBeGreaterThan(0);
    expect(result.othersFailed).toBe(0);
    expect(result.lost).toBe(0);
  });
});
