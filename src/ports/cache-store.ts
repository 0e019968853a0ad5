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
  /**
   * Stores each entry unless its key holds a newer version, atomically per key: the stored bytes
   * are `versioned(version, value)`, and an entry replaces them only if its version is at least
   * the stored one. For values that must end as the newest, not the last written (the latest tick
   * of a series when batches, or replicas, deliver out of time order).
   */
  setIfNewer(entries: readonly { key: string; value: Uint8Array; version: number }[], ttlMs: number): Promise<void>;
}

/** Digits of the version that leads a value stored by setIfNewer (milliseconds fit until the year 318857). */
export const VERSION_DIGITS = 16;

/** The stored form of a versioned value: the version as VERSION_DIGITS ASCII digits, then the value. */
export function versioned(version: number, value: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(version) || version < 0 || version >= 10 ** VERSION_DIGITS) throw new RangeError(`not a version: ${version}`);
  const out = new Uint8Array(VERSION_DIGITS + value.length);
  out.set(Buffer.from(String(version).padStart(VERSION_DIGITS, "0"), "latin1"));
  out.set(value, VERSION_DIGITS);
  return out;
}

/** The version and value of stored bytes written by setIfNewer, or undefined if they are not of that form. */
export function unversioned(stored: Uint8Array): { version: number; value: Uint8Array } | undefined {
  if (stored.length < VERSION_DIGITS) return undefined;
  const digits = Buffer.from(stored.subarray(0, VERSION_DIGITS)).toString("latin1");
  if (!/^\d+$/.test(digits)) return undefined;
  return { version: Number(digits), value: stored.subarray(VERSION_DIGITS) };
}
