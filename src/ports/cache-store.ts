import type { BackendProbe } from "./backend.js";

export type SetCondition = "always" | "if-absent" | "if-present";

/** A key-value cache with per-key lifetimes. Keys arrive validated and already namespaced. */
export interface CacheStore extends BackendProbe {
  get(key: string): Promise<Uint8Array | undefined>;
  /** Returns false when the condition was not met. `ttlMs` 0 means no expiry. */
  set(key: string, value: Uint8Array, ttlMs: number, condition: SetCondition): Promise<boolean>;
  mget(keys: readonly string[]): Promise<(Uint8Array | undefined)[]>;
  mset(entries: readonly { key: string; value: Uint8Array }[], ttlMs: number): Promise<void>;
  /** Returns how many of the keys existed. */
  del(keys: readonly string[]): Promise<number>;
  /** undefined: no such key; -1: no expiry; otherwise milliseconds left. */
  ttl(key: string): Promise<number | undefined>;
  /** Returns false when the key does not exist. */
  expire(key: string, ttlMs: number): Promise<boolean>;
  /** Fails with FailedPrecondition if the value is not an integer. */
  incr(key: string, delta: bigint): Promise<bigint>;
}
