import { join } from "node:path";
import { PgliteSqlClient } from "../../src/backends/embedded/pglite-client.js";
import { SqlMigrator } from "../../src/backends/postgres/migrator.js";
import { PgSqlClient } from "../../src/backends/postgres/pg-client.js";
import type { SqlClient } from "../../src/backends/postgres/sql-client.js";
import { MIGRATIONS_ROOT, readMigrationFiles } from "../../src/migrations/migration-files.js";
import { createTempDatabase } from "./postgres.js";

export type SqlFixture = { sql: SqlClient; migrator: SqlMigrator; adapter: string; cleanup(): Promise<void> };

/** A migrated SQL database: PGlite in memory, or a fresh database of its own on the real PostgreSQL. */
export async function openSql(kind: "pglite" | { postgresUrl: string }): Promise<SqlFixture> {
  const files = await readMigrationFiles(join(MIGRATIONS_ROOT, "postgres"));
  if (kind === "pglite") {
    const sql = await PgliteSqlClient.open(undefined);
    const migrator = new SqlMigrator(sql, files, "embedded");
    await migrator.migrateTo();
    return { sql, migrator, adapter: "embedded", cleanup: () => sql.close() };
  }
  const db = await createTempDatabase(kind.postgresUrl);
  const sql = new PgSqlClient(db.url, { min: 0, max: 4, connectTimeoutMs: 5000, statementTimeoutMs: 10_000 });
  const migrator = new SqlMigrator(sql, files, "postgres");
  await migrator.migrateTo();
  return {
    sql,
    migrator,
    adapter: "postgres",
    cleanup: async () => {
      await sql.close();
      await db.drop();
    },
  };
}
