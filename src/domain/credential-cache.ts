import type { CacheStore } from "../ports/cache-store.js";

/** Remembered credentials live at most this long in the cache (less for sessions ending sooner). */
export const CREDENTIAL_CACHE_MS = 5 * 60_000;

/**
 * Validated credentials remembered in the cache backend, so most authenticated calls do not reach
 * PostgreSQL. Best effort both ways: with the cache down, PostgreSQL answers. Whoever revokes a
 * credential forgets its entry, so revocation takes effect at once on every replica.
 */
export class CredentialCache {
  constructor(private readonly cache: CacheStore | undefined) {}

  async recall<T>(key: string): Promise<T | undefined> {
    const bytes = await this.cache?.get(key).catch(() => undefined);
    return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as T) : undefined;
  }

  async remember(key: string, value: unknown, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    await this.cache?.set(key, new TextEncoder().encode(JSON.stringify(value)), Math.ceil(ttlMs), "always").catch(() => undefined);
  }

  async forget(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.cache?.del(keys).catch(() => undefined);
  }
}
