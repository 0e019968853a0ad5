import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { ArangoGraphStore } from "../../../src/backends/arango/graph-store.js";
import { UnavailableError } from "../../../src/errors.js";

/** A loopback port with nothing listening: what an ArangoDB that is down looks like to a client. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

// The adapter's contract suite needs a real ArangoDB (ARANGO_URL); its outage behaviour does not.
describe("ArangoDB adapter while the server is down", () => {
  it("answers UNAVAILABLE, opens its circuit after five failures, then fails fast with the retry time", async () => {
    const store = ArangoGraphStore.open({ url: `http://root:x@127.0.0.1:${await closedPort()}/neliti`, poolSize: 2, timeoutMs: 2000, concurrency: { limit: 2, queue: 20 } });
    try {
      const ref = { kind: "strategy" as const, key: "s1" };
      for (let i = 0; i < 5; i++) await expect(store.upsertVertices([{ ...ref, properties: {} }])).rejects.toBeInstanceOf(UnavailableError);
      expect(store.circuit).toBe("open");
      const started = performance.now();
      const err = await store.getVertex(ref).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      expect((err as UnavailableError).message).toContain("circuit open");
      expect((err as UnavailableError).retryAfterMs).toBeGreaterThan(0);
      expect(performance.now() - started).toBeLessThan(100);
      await expect(store.probe()).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      await store.close();
    }
  });
});
