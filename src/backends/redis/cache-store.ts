import { Redis } from "ioredis";
import { FailedPreconditionError } from "../../errors.js";
import type { PoolStats } from "../../ports/backend.js";
import { type CacheStore, type SetCondition, VERSION_DIGITS, versioned } from "../../ports/cache-store.js";
import { Breaker, type BreakerState, type Bulkhead } from "../../resilience/breaker.js";

export type RedisCacheOptions = {
  url: string;
  /** Connections, used round-robin. */
  connections: number;
  /** Prefix of every key (a tenant namespace), or "". */
  namespace: string;
  timeoutMs: number;
  concurrency?: Bulkhead;
};

/** A view of the Buffer's bytes as a plain Uint8Array (what the port promises). */
const bytes = (b: Buffer | null): Uint8Array | undefined => (b === null ? undefined : new Uint8Array(b.buffer, b.byteOffset, b.length));

const NOT_AN_INTEGER = /not an integer|out of range|overflow/i;

/** ioredis's error when commandTimeout passes without a reply. */
const isCommandTimeout = (err: unknown) => err instanceof Error && err.message === "Command timed out";

/**
 * setIfNewer for one key: the stored value's leading version digits against the new version.
 * KEYS[1] key; ARGV[1] new version; ARGV[2] stored bytes (version digits, then the value); ARGV[3] ttl ms.
 */
const SET_IF_NEWER = `
local current = redis.call('GETRANGE', KEYS[1], 0, ${VERSION_DIGITS - 1})
if current ~= '' and tonumber(current) ~= nil and tonumber(current) > tonumber(ARGV[1]) then return 0 end
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1`;

/**
 * CacheStore on DragonflyDB / Redis (ioredis). A few connections rather than a pool of 10-50,
 * which measured faster (see bench/RESULTS.md). Without ioredis's auto-pipelining: it builds a
 * Pipeline for each tick's commands, and RPCs arrive one per tick, so each Get paid for a pipeline
 * of one (10% of a Get's service CPU at 8 and at 64 callers, against commands written as they
 * come). No offline queue: while the server is down, calls fail at once and the breaker opens,
 * instead of piling up.
 */
export class RedisCacheStore implements CacheStore {
  readonly adapter = "redis";
  private readonly clients: Redis[];
  private next = 0;
  private readonly breaker: Breaker;

  /**
   * Connects, waiting up to the timeout for the connections to be ready. A cache that is down at
   * start does not stop the service: its calls fail fast until it comes up.
   */
  static async open(options: RedisCacheOptions): Promise<RedisCacheStore> {
    const store = new RedisCacheStore(options);
    await Promise.all(
      store.clients.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.status === "ready") return resolve();
            const timer = setTimeout(resolve, options.timeoutMs);
            c.once("ready", () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
    return store;
  }

  private constructor(options: RedisCacheOptions) {
    this.clients = Array.from({ length: options.connections }, () => {
      const c = new Redis(options.url, {
        keyPrefix: options.namespace,
        enableAutoPipelining: false,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: options.timeoutMs,
        commandTimeout: options.timeoutMs,
        // Integer replies as strings: INCRBY must not lose precision above 2^53.
        stringNumbers: true,
        retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
        lazyConnect: false,
      });
      // Connection errors surface on the calls; the client reconnects by itself.
      c.on("error", () => undefined);
      c.defineCommand("setIfNewer", { numberOfKeys: 1, lua: SET_IF_NEWER });
      return c;
    });
    // commandTimeout bounds every command already; a second timer per call would only cost.
    this.breaker = new Breaker("cache", { failures: 3, halfOpenAfterMs: 1000, isTimeout: isCommandTimeout, concurrency: options.concurrency });
  }

  private client(): Redis {
    this.next = (this.next + 1) % this.clients.length;
    return this.clients[this.next]!;
  }

  /**
   * `idempotent`: a second run after a failed first one gives the same effect and the same answer,
   * so it may be retried. Not so for INCRBY, conditional SET and DEL, whose answers depend on what
   * a first run that reached Redis did.
   */
  private run<T>(fn: (c: Redis) => Promise<T>, idempotent = true): Promise<T> {
    return this.breaker.run(() => fn(this.client()), { idempotent });
  }

  get circuit(): BreakerState {
    return this.breaker.state;
  }

  async probe(): Promise<void> {
    await this.run((c) => c.ping());
  }

  poolStats(): PoolStats {
    const ready = this.clients.filter((c) => c.status === "ready").length;
    return { inUse: ready, idle: 0, max: this.clients.length };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.quit().catch(() => c.disconnect())));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return bytes(await this.run((c) => c.getBuffer(key)));
  }

  async set(key: string, value: Uint8Array, ttlMs: number, condition: SetCondition): Promise<boolean> {
    const args: (string | number)[] = [];
    if (ttlMs > 0) args.push("PX", ttlMs);
    if (condition === "if-absent") args.push("NX");
    if (condition === "if-present") args.push("XX");
    const reply = await this.run((c) => c.call("SET", key, Buffer.from(value), ...args), condition === "always");
    return reply === "OK";
  }

  async mget(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    const values = await this.run((c) => c.mgetBuffer(...keys));
    return values.map(bytes);
  }

  async mset(entries: readonly { key: string; value: Uint8Array }[], ttlMs: number): Promise<void> {
    await this.run(async (c) => {
      // MULTI/EXEC: all entries or none (MSET has no TTL).
      const tx = c.multi();
      for (const e of entries) {
        if (ttlMs > 0) tx.set(e.key, Buffer.from(e.value), "PX", ttlMs);
        else tx.set(e.key, Buffer.from(e.value));
      }
      const results = await tx.exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error("MULTI aborted");
    });
  }

  /** One script call per key (pipelined): atomic per key, and no multi-key call across cluster slots. */
  async setIfNewer(entries: readonly { key: string; value: Uint8Array; version: number }[], ttlMs: number): Promise<void> {
    await this.run(async (c) => {
      const calls = c as Redis & { setIfNewer(key: string, version: string, stored: Buffer, ttlMs: number): Promise<number> };
      await Promise.all(entries.map((e) => calls.setIfNewer(e.key, String(e.version), Buffer.from(versioned(e.version, e.value)), ttlMs)));
    });
  }

  async del(keys: readonly string[]): Promise<number> {
    return Number(await this.run((c) => c.del(...keys), false));
  }

  async ttl(key: string): Promise<number | undefined> {
    const ms = Number(await this.run((c) => c.pttl(key)));
    return ms === -2 ? undefined : ms;
  }

  async expire(key: string, ttlMs: number): Promise<boolean> {
    return Number(await this.run((c) => c.pexpire(key, ttlMs))) === 1;
  }

  async incr(key: string, delta: bigint): Promise<bigint> {
    return this.run(async (c) => {
      try {
        return BigInt(await c.call("INCRBY", key, delta.toString()) as string);
      } catch (err) {
        if (err instanceof Error && NOT_AN_INTEGER.test(err.message)) throw new FailedPreconditionError(`value of ${key} is not an integer, or the increment would overflow`);
        throw err;
      }
    }, false);
  }
}
