import { FailedPreconditionError } from "../../errors.js";
import { type CacheStore, type SetCondition, unversioned, versioned } from "../../ports/cache-store.js";

type Entry = { value: Uint8Array; expiresAt: number };

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * In-process cache: a Map kept in least-recently-used order (a Map iterates in insertion order,
 * so re-inserting on access moves a key to the back), bounded by entry count, with lazy expiry.
 */
export class EmbeddedCacheStore implements CacheStore {
  readonly adapter = "embedded";
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  async probe(): Promise<void> {}
  async close(): Promise<void> {
    this.entries.clear();
  }

  private live(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt !== 0 && e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  private put(key: string, value: Uint8Array, ttlMs: number): void {
    this.entries.delete(key);
    // A copy (new Uint8Array, since a Buffer's slice() is a view): the caller's bytes may be reused.
    this.entries.set(key, { value: new Uint8Array(value), expiresAt: ttlMs > 0 ? this.now() + ttlMs : 0 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.live(key)?.value;
  }

  async set(key: string, value: Uint8Array, ttlMs: number, condition: SetCondition): Promise<boolean> {
    const exists = this.live(key) !== undefined;
    if ((condition === "if-absent" && exists) || (condition === "if-present" && !exists)) return false;
    this.put(key, value, ttlMs);
    return true;
  }

  async mget(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    return keys.map((k) => this.live(k)?.value);
  }

  async mset(entries: readonly { key: string; value: Uint8Array }[], ttlMs: number): Promise<void> {
    for (const e of entries) this.put(e.key, e.value, ttlMs);
  }

  async setIfNewer(entries: readonly { key: string; value: Uint8Array; version: number }[], ttlMs: number): Promise<void> {
    for (const e of entries) {
      const current = this.live(e.key);
      const stored = current && unversioned(current.value);
      if (stored && stored.version > e.version) continue;
      this.put(e.key, versioned(e.version, e.value), ttlMs);
    }
  }

  async del(keys: readonly string[]): Promise<number> {
    let n = 0;
    for (const k of new Set(keys)) if (this.live(k) && this.entries.delete(k)) n++;
    return n;
  }

  async ttl(key: string): Promise<number | undefined> {
    const e = this.live(key);
    if (!e) return undefined;
    return e.expiresAt === 0 ? -1 : e.expiresAt - this.now();
  }

  async expire(key: string, ttlMs: number): Promise<boolean> {
    const e = this.live(key);
    if (!e) return false;
    e.expiresAt = this.now() + ttlMs;
    return true;
  }

  async incr(key: string, delta: bigint): Promise<bigint> {
    const e = this.live(key);
    let current = 0n;
    if (e) {
      const text = new TextDecoder().decode(e.value);
      if (!/^-?\d{1,19}$/.test(text)) throw new FailedPreconditionError(`value of ${key} is not an integer`);
      current = BigInt(text);
    }
    const next = current + delta;
    if (next > INT64_MAX || next < INT64_MIN) throw new FailedPreconditionError(`increment of ${key} would overflow a 64-bit integer`);
    const value = new TextEncoder().encode(next.toString());
    if (e) e.value = value;
    else this.put(key, value, 0);
    return next;
  }
}
