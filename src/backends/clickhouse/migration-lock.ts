import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClickHouseClient } from "@clickhouse/client";
import { UnavailableError } from "../../errors.js";
import { serverCode, TABLE_ALREADY_EXISTS, UNKNOWN_TABLE } from "./errors.js";

const PREFIX = "schema_migrations_lock_";

export type LockTiming = {
  /** How often the holder appends a row to its lock table. */
  renewMs: number;
  /** How long a waiter watches the newest lock table without a new row before it takes over. */
  staleMs: number;
  /** How often a waiter looks again. */
  pollMs: number;
};

export const LOCK_TIMING: LockTiming = { renewMs: 2_000, staleMs: 30_000, pollMs: 250 };

/** The lock as held: `verify` throws once another process has taken it over. */
export type HeldLock = { verify(): Promise<void> };

/**
 * One migrator at a time on a ClickHouse database. Replicas that start together each run the
 * pending migrations, and ClickHouse has neither transactions nor locks: interleaved, one replica
 * dropped a table (migration 3) while another was still filling it (migration 2).
 *
 * What ClickHouse does guarantee is that of several CREATE TABLE of one name exactly one succeeds.
 * The lock is therefore a table, schema_migrations_lock_<generation>, held by whoever created the
 * newest generation. The holder appends a row every `renewMs`; a waiter that sees the newest
 * table's row count unchanged for `staleMs` by its own clock (no two machines' clocks compared)
 * takes over by creating the next generation, which again only one waiter can do. A holder checks
 * before each step that its table is still the newest and stops if not: a holder so stalled that
 * it was taken over must not go on.
 */
export class ClickHouseMigrationLock {
  private readonly holder = `${hostname()} pid ${process.pid}`;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly timing: LockTiming = LOCK_TIMING,
  ) {}

  async hold<T>(work: (lock: HeldLock) => Promise<T>): Promise<T> {
    const generation = await this.acquire();
    let lost: unknown;
    const renewing = setInterval(() => {
      this.append(generation).catch((err: unknown) => (lost ??= err));
    }, this.timing.renewMs);
    const verify = async () => {
      const newest = (await this.generations()).at(-1);
      if (lost !== undefined || newest !== generation) {
        throw new UnavailableError(`clickhouse: another process took over the migration lock (generation ${newest ?? "none"}, this one held ${generation})`, this.timing.staleMs, {
          cause: lost,
        });
      }
    };
    try {
      return await work({ verify });
    } finally {
      clearInterval(renewing);
      await this.client.command({ query: `DROP TABLE IF EXISTS ${PREFIX}${generation}` });
    }
  }

  private async acquire(): Promise<number> {
    let watched: { generation: number; rows: number; since: number } | undefined;
    for (;;) {
      const generations = await this.generations();
      const newest = generations.at(-1);
      if (newest === undefined) {
        if (await this.create(1)) return 1;
        continue;
      }
      const rows = await this.rowsOf(newest);
      if (rows === undefined) continue; // released between the two reads
      if (watched?.generation !== newest || watched.rows !== rows) {
        watched = { generation: newest, rows, since: performance.now() };
      } else if (performance.now() - watched.since >= this.timing.staleMs && (await this.create(newest + 1))) {
        // The holder that went silent, and any older leftovers, are superseded.
        for (const g of generations) await this.client.command({ query: `DROP TABLE IF EXISTS ${PREFIX}${g}` });
        return newest + 1;
      }
      await sleep(this.timing.pollMs);
    }
  }

  /** Creates the generation's table; false when another process created it first. */
  private async create(generation: number): Promise<boolean> {
    try {
      await this.client.command({ query: `CREATE TABLE ${PREFIX}${generation} (holder String, at_ms UInt64) ENGINE = Memory` });
    } catch (err) {
      if (serverCode(err) === TABLE_ALREADY_EXISTS) return false;
      throw err;
    }
    await this.append(generation);
    return true;
  }

  private async append(generation: number): Promise<void> {
    await this.client.insert({ table: `${PREFIX}${generation}`, values: [{ holder: this.holder, at_ms: Date.now() }], format: "JSONEachRow" });
  }

  /** Lock generations present, oldest first. */
  private async generations(): Promise<number[]> {
    const rs = await this.client.query({
      query: `SELECT name FROM system.tables WHERE database = currentDatabase() AND startsWith(name, '${PREFIX}')`,
      format: "JSONEachRow",
    });
    return (await rs.json<{ name: string }>())
      .map((r) => Number(r.name.slice(PREFIX.length)))
      .filter(Number.isSafeInteger)
      .sort((a, b) => a - b);
  }

  /** Rows in a generation's table; undefined once it is gone. */
  private async rowsOf(generation: number): Promise<number | undefined> {
    try {
      const rs = await this.client.query({ query: `SELECT count() AS n FROM ${PREFIX}${generation}`, format: "JSONEachRow" });
      return Number((await rs.json<{ n: number | string }>())[0]?.n ?? 0);
    } catch (err) {
      if (serverCode(err) === UNKNOWN_TABLE) return undefined;
      throw err;
    }
  }
}
