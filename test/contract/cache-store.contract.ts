import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FailedPreconditionError } from "../../src/errors.js";
import { type CacheStore, unversioned } from "../../src/ports/cache-store.js";
import { uniqueSuffix } from "../harness/backends.js";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What every CacheStore adapter must do. Keys carry a per-suite prefix; cleanup deletes them. */
export function cacheStoreContract(name: string, open: () => Promise<{ store: CacheStore; cleanup(keys: string[]): Promise<void> }>): void {
  describe(`CacheStore contract: ${name}`, () => {
    let fx: { store: CacheStore; cleanup(keys: string[]): Promise<void> };
    let store: CacheStore;
    const used: string[] = [];
    const prefix = `test:${uniqueSuffix()}:`;
    const k = (s: string) => {
      const key = `${prefix}${s}`;
      used.push(key);
      return key;
    };

    beforeAll(async () => {
      fx = await open();
      store = fx.store;
    });
    afterAll(async () => fx?.cleanup(used));

    it("gets what was set, as bytes, including binary values", async () => {
      const value = new Uint8Array([0, 255, 10, 13, 0]);
      expect(await store.set(k("bin"), value, 0, "always")).toBe(true);
      expect(await store.get(k("bin"))).toEqual(value);
      expect(await store.get(k("missing"))).toBeUndefined();
    });

    it("keeps a value as it was set, whatever the caller does with its bytes afterwards (a Buffer too)", async () => {
      const value = Buffer.from("as set");
      expect(await store.set(k("own"), value.subarray(0, 6), 0, "always")).toBe(true);
      value.fill(0);
      expect(Buffer.from((await store.get(k("own")))!).toString()).toBe("as set");
    });

    it("keeps the newest version whatever order versions are written in, atomically per key", async () => {
      const [a, b] = [k("newest-a"), k("newest-b")];
      await store.setIfNewer([{ key: a, value: bytes("t5000"), version: 5000 }, { key: b, value: bytes("b1"), version: 1 }], 60_000);
      // An older tick written later (another replica, a late batch) does not replace the newer one.
      await store.setIfNewer([{ key: a, value: bytes("t1000"), version: 1000 }], 60_000);
      expect(unversioned((await store.get(a))!)).toEqual({ version: 5000, value: bytes("t5000") });
      // A newer one, or one as new, does.
      await store.setIfNewer([{ key: a, value: bytes("t5000b"), version: 5000 }, { key: b, value: new Uint8Array([0, 255]), version: 2 }], 60_000);
      expect(text(unversioned((await store.get(a))!)?.value)).toBe("t5000b");
      expect(unversioned((await store.get(b))!)).toEqual({ version: 2, value: new Uint8Array([0, 255]) });
      // Concurrent writers: the newest ends up stored.
      await Promise.all([3, 9, 4, 7].map((v) => store.setIfNewer([{ key: b, value: bytes(`v${v}`), version: v }], 60_000)));
      expect(text(unversioned((await store.get(b))!)?.value)).toBe("v9");
      expect(await store.ttl(b)).toBeGreaterThan(0);
    });

    it("honours set conditions", async () => {
      expect(await store.set(k("nx"), bytes("1"), 0, "if-absent")).toBe(true);
      expect(await store.set(k("nx"), bytes("2"), 0, "if-absent")).toBe(false);
      expect(text(await store.get(k("nx")))).toBe("1");
      expect(await store.set(k("xx"), bytes("1"), 0, "if-present")).toBe(false);
      expect(await store.get(k("xx"))).toBeUndefined();
      expect(await store.set(k("nx"), bytes("3"), 0, "if-present")).toBe(true);
      expect(text(await store.get(k("nx")))).toBe("3");
    });

    it("expires keys after their TTL and reports remaining lifetimes", async () => {
      await store.set(k("ttl"), bytes("v"), 150, "always");
      const left = await store.ttl(k("ttl"));
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(150);
      await store.set(k("forever"), bytes("v"), 0, "always");
      expect(await store.ttl(k("forever"))).toBe(-1);
      expect(await store.ttl(k("none"))).toBeUndefined();
      await sleep(250);
      expect(await store.get(k("ttl"))).toBeUndefined();
    });

    it("sets a lifetime on an existing key only", async () => {
      await store.set(k("exp"), bytes("v"), 0, "always");
      expect(await store.expire(k("exp"), 100)).toBe(true);
      expect(await store.expire(k("exp-missing"), 100)).toBe(false);
      await sleep(200);
      expect(await store.get(k("exp"))).toBeUndefined();
    });

    it("reads and writes several keys in order", async () => {
      await store.mset([{ key: k("m1"), value: bytes("a") }, { key: k("m2"), value: bytes("b") }], 0);
      expect((await store.mget([k("m2"), k("m-none"), k("m1")])).map(text)).toEqual(["b", undefined, "a"]);
    });

    it("deletes keys and counts the ones that existed", async () => {
      await store.mset([{ key: k("d1"), value: bytes("a") }, { key: k("d2"), value: bytes("b") }], 0);
      expect(await store.del([k("d1"), k("d2"), k("d3")])).toBe(2);
      expect(await store.get(k("d1"))).toBeUndefined();
    });

    it("increments integers, refusing non-integers and 64-bit overflow", async () => {
      expect(await store.incr(k("n"), 1n)).toBe(1n);
      expect(await store.incr(k("n"), 41n)).toBe(42n);
      expect(await store.incr(k("n"), -50n)).toBe(-8n);
      await store.set(k("s"), bytes("abc"), 0, "always");
      await expect(store.incr(k("s"), 1n)).rejects.toBeInstanceOf(FailedPreconditionError);
      await store.set(k("big"), bytes("9223372036854775807"), 0, "always");
      await expect(store.incr(k("big"), 1n)).rejects.toBeInstanceOf(FailedPreconditionError);
    });

    it("treats hostile keys as opaque", async () => {
      const key = k(`'"; FLUSHALL \\ * ? [a] {b} ünïcode`);
      await store.set(key, bytes("x"), 0, "always");
      expect(text(await store.get(key))).toBe("x");
    });
  });
}
