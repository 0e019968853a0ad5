import { join } from "node:path";
import { type ClickHouseClient, createClient } from "@clickhouse/client";
import { afterEach, beforeEach, expect, it } from "vitest";
import { detectCapabilities } from "../../../src/backends/clickhouse/capabilities.js";
import { serverCode, TABLE_ALREADY_EXISTS, UNKNOWN_TABLE } from "../../../src/backends/clickhouse/errors.js";
import { ClickHouseMigrationLock, type LockTiming } from "../../../src/backends/clickhouse/migration-lock.js";
import { ClickHouseMigrator } from "../../../src/backends/clickhouse/migrator.js";
import { UnavailableError } from "../../../src/errors.js";
import { MIGRATIONS_ROOT, readMigrationFiles } from "../../../src/migrations/migration-files.js";
import { describeWithBackend } from "../../harness/backends.js";
import { createTempClickHouseDatabase } from "../../harness/clickhouse.js";

const QUICK: LockTiming = { renewMs: 50, staleMs: 600, pollMs: 25 };

describeWithBackend("clickhouse", "ClickHouse migration lock", (url) => {
  let db: Awaited<ReturnType<typeof createTempClickHouseDatabase>>;
  const clients: ClickHouseClient[] = [];
  /** A client as each replica has its own: two connections, as the service's DDL client. */
  const client = () => {
    const c = createClient({ url: db.url, max_open_connections: 2, clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
    clients.push(c);
    return c;
  };
  const migrator = async (timing: LockTiming = QUICK) => {
    const c = client();
    return new ClickHouseMigrator(c, await detectCapabilities(c), await readMigrationFiles(join(MIGRATIONS_ROOT, "clickhouse")), timing);
  };
  const tables = async () =>
    (await (await client().query({ query: "SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name", format: "JSONEachRow" })).json<{ name: string }>()).map(
      (r) => r.name,
    );

  beforeEach(async () => {
    db = await createTempClickHouseDatabase(url);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await db.drop();
  });

  it("reads the server's code of the two failures the lock expects, from this server's messages", async () => {
    const c = client();
    await c.command({ query: "CREATE TABLE schema_migrations_lock_7 (holder String, at_ms UInt64) ENGINE = Memory" });
    const again = await c.command({ query: "CREATE TABLE schema_migrations_lock_7 (holder String, at_ms UInt64) ENGINE = Memory" }).catch((err: unknown) => err);
    const missing = await c.query({ query: "SELECT count() FROM schema_migrations_lock_8" }).catch((err: unknown) => err);
    expect([serverCode(again), serverCode(missing)]).toEqual([TABLE_ALREADY_EXISTS, UNKNOWN_TABLE]);
  });

  it("four replicas migrating one fresh database at once: every migration applied once, in order, nothing left behind", async () => {
    const four = await Promise.all([1, 2, 3, 4].map(() => migrator()));
    const states = await Promise.all(four.map((m) => m.migrateTo()));
    const newest = states[0]!.migrations.at(-1)!.version;
    expect(states.map((s) => s.currentVersion)).toEqual([newest, newest, newest, newest]);
    const events = await (await client().query({ query: "SELECT version, applied FROM schema_migrations ORDER BY at_ms", format: "JSONEachRow" })).json<{ version: number; applied: number }>();
    // One applied event per version: a replica that would have run a migration again would add a second.
    expect(events).toEqual(states[0]!.migrations.map((m) => ({ version: m.version, applied: 1 })));
    // Migration 3 replaced the first catalog; no replica re-created it, and no lock is left.
    expect(await tables()).toEqual(["schema_migrations", "tick_batches", "tick_batches_mv", "tick_series_first", "tick_series_first_mv", "ticks"]);
  });

  it("a replica waits while the holder renews the lock, however long past the stale time it holds it", async () => {
    const lock = new ClickHouseMigrationLock(client(), QUICK);
    const order: string[] = [];
    let releaseHolder!: () => void;
    const holding = lock.hold(async () => {
      order.push("holder in");
      await new Promise<void>((r) => (releaseHolder = r));
      order.push("holder out");
    });
    await expect.poll(() => order).toEqual(["holder in"]);
    const waiter = (await migrator()).migrateTo().then(() => order.push("waiter migrated"));
    await new Promise((r) => setTimeout(r, QUICK.staleMs * 3));
    expect(order).toEqual(["holder in"]);
    releaseHolder();
    await Promise.all([holding, waiter]);
    expect(order).toEqual(["holder in", "holder out", "waiter migrated"]);
  });

  it("a replica starting on a database with nothing pending does not wait for the lock, nor take it", async () => {
    await (await migrator()).migrateTo();
    const lock = new ClickHouseMigrationLock(client(), QUICK);
    let releaseHolder!: () => void;
    let held = false;
    const holding = lock.hold(async () => {
      held = true;
      await new Promise<void>((r) => (releaseHolder = r));
    });
    await expect.poll(() => held).toBe(true);
    const state = await (await migrator()).migrateTo();
    expect(state.migrations.every((m) => m.applied)).toBe(true);
    expect((await tables()).filter((t) => t.startsWith("schema_migrations_lock"))).toEqual(["schema_migrations_lock_1"]);
    releaseHolder();
    await holding;
  });

  it("a lock whose holder went silent (a replica killed mid-migration) is taken over once it has been still for the stale time", async () => {
    const c = client();
    await c.command({ query: "CREATE TABLE schema_migrations_lock_1 (holder String, at_ms UInt64) ENGINE = Memory" });
    await c.insert({ table: "schema_migrations_lock_1", values: [{ holder: "a replica killed with -9", at_ms: Date.now() }], format: "JSONEachRow" });
    const started = performance.now();
    const state = await (await migrator()).migrateTo();
    expect(performance.now() - started).toBeGreaterThanOrEqual(QUICK.staleMs);
    expect(state.migrations.every((m) => m.applied)).toBe(true);
    expect((await tables()).filter((t) => t.startsWith("schema_migrations_lock"))).toEqual([]);
  });

  it("a holder that another process took over stops before its next step, UNAVAILABLE", async () => {
    const c = client();
    const lock = new ClickHouseMigrationLock(c, QUICK);
    const outcome = lock.hold(async (held) => {
      await held.verify();
      await c.command({ query: "CREATE TABLE schema_migrations_lock_2 (holder String, at_ms UInt64) ENGINE = Memory" });
      await held.verify();
    });
    await expect(outcome).rejects.toBeInstanceOf(UnavailableError);
    await expect(outcome).rejects.toThrow(/took over the migration lock \(generation 2, this one held 1\)/);
    // Its own table is gone; the newer holder's is not touched.
    expect((await tables()).filter((t) => t.startsWith("schema_migrations_lock"))).toEqual(["schema_migrations_lock_2"]);
  });
});
