import { describe, expect, it } from "vitest";
import { EmbeddedCacheStore } from "../../src/backends/embedded/cache-store.js";
import { RedisCacheStore } from "../../src/backends/redis/cache-store.js";
import { describeWithBackend, uniqueSuffix } from "../harness/backends.js";
import { cacheStoreContract } from "./cache-store.contract.js";

cacheStoreContract("embedded", async () => {
  const store = new EmbeddedCacheStore(10_000);
  return { store, cleanup: () => store.close() };
});

describe("embedded cache bounds", () => {
  it("evicts the least recently used entry beyond its size", async () => {
    const store = new EmbeddedCacheStore(2);
    const v = new Uint8Array([1]);
    await store.set("a", v, 0, "always");
    await store.set("b", v, 0, "always");
    await store.get("a");
    await store.set("c", v, 0, "always");
    expect(await store.get("b")).toBeUndefined();
    expect(await store.get("a")).toEqual(v);
    expect(await store.get("c")).toEqual(v);
  });
});

describeWithBackend("redis", "real Redis (DragonflyDB protocol)", (url) => {
  cacheStoreContract("Redis", async () => {
    const store = await RedisCacheStore.open({ url, connections: 2, namespace: `test:${uniqueSuffix()}:`, timeoutMs: 1000 });
    return {
      store,
      cleanup: async (keys) => {
        if (keys.length > 0) await store.del(keys);
        await store.close();
      },
    };
  });
});
