import type { MigrationFile } from "../../migrations/migration-files.js";
import { StepMigrator } from "../../migrations/step-migrator.js";
import type { SqlClient } from "./sql-client.js";

/** Runs migrations/postgres on PostgreSQL or PGlite, each in its own transaction. */
export class SqlMigrator extends StepMigrator {
  constructor(
    private readonly sql: SqlClient,
    files: readonly MigrationFile[],
    adapter: string,
  ) {
    super(adapter, files);
  }

  protected async applied(): Promise<Map<number, number>> {
    await this.sql.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const rows = await this.sql.query<{ version: number; applied_at: Date }>("SELECT version, applied_at FROM schema_migrations");
    return new Map(rows.map((r) => [r.version, new Date(r.applied_at).getTime()]));
  }

  protected apply(f: MigrationFile): Promise<void> {
    return this.sql.transaction(async (tx) => {
      await tx.exec(f.up);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [f.version, f.name]);
    });
  }

  protected revert(f: MigrationFile): Promise<void> {
    return this.sql.transaction(async (tx) => {
      await tx.exec(f.down);
      await tx.query("DELETE FROM schema_migrations WHERE version = $1", [f.version]);
    });
  }
}
