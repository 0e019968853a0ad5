import { join } from "node:path";
import pg from "pg";
import { afterEach, beforeEach, expect, it } from "vitest";
import { SqlMigrator } from "../../../src/backends/postgres/migrator.js";
import { PgSqlClient } from "../../../src/backends/postgres/pg-client.js";
import { MIGRATIONS_ROOT, readMigrationFiles } from "../../../src/migrations/migration-files.js";
import { describeWithBackend } from "../../harness/backends.js";
import { createTempDatabase } from "../../harness/postgres.js";

describeWithBackend("postgres", "PostgreSQL migrations from replicas starting together", (url) => {
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  const clients: PgSqlClient[] = [];
  /** A pool as each replica has its own. */
  const migrator = async () => {
    const c = new PgSqlClient(db.url, { min: 0, max: 2, connectTimeoutMs: 5000, statementTimeoutMs: 30_000 });
    clients.push(c);
    return new SqlMigrator(c, await readMigrationFiles(join(MIGRATIONS_ROOT, "postgres")), "postgres");
  };

  beforeEach(async () => {
    db = await createTempDatabase(url);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await db.drop();
  });

  it("four replicas migrating one fresh database at once all succeed, each migration applied once", async () => {
    const four = await Promise.all([1, 2, 3, 4].map(() => migrator()));
    const states = await Promise.all(four.map((m) => m.migrateTo()));
    const newest = states[0]!.migrations.at(-1)!.version;
    expect(states.map((s) => s.currentVersion)).toEqual([newest, newest, newest, newest]);
    const check = new pg.Client({ connectionString: db.url });
    await check.connect();
    try {
      const { rows } = await check.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
      expect(rows.map((r) => r.version)).toEqual(states[0]!.migrations.map((m) => m.version));
    } finally {
      await check.end();
    }
  });

  it("four replicas rolling back at once all succeed, each migration reverted once", async () => {
    await (await migrator()).migrateTo();
    const four = await Promise.all([1, 2, 3, 4].map(() => migrator()));
    const states = await Promise.all(four.map((m) => m.rollbackTo(0)));
    expect(states.map((s) => s.currentVersion)).toEqual([0, 0, 0, 0]);
  });
});
