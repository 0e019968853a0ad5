import { FailedPreconditionError } from "../../errors.js";
import type { MigrationFile } from "../../migrations/migration-files.js";
import type { MigrationState, Migrator } from "../../ports/migrator.js";
import type { SqlClient } from "./sql-client.js";

/** Runs migrations/postgres on PostgreSQL or PGlite, each in its own transaction. */
export class SqlMigrator implements Migrator {
  constructor(
    private readonly sql: SqlClient,
    private readonly files: readonly MigrationFile[],
    readonly adapter: string,
  ) {}

  private async applied(): Promise<Map<number, Date>> {
    await this.sql.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const rows = await this.sql.query<{ version: number; applied_at: Date }>("SELECT version, applied_at FROM schema_migrations");
    return new Map(rows.map((r) => [r.version, new Date(r.applied_at)]));
  }

  async status(): Promise<MigrationState> {
    const applied = await this.applied();
    return {
      adapter: this.adapter,
      currentVersion: Math.max(0, ...applied.keys()),
      migrations: this.files.map((f) => ({
        version: f.version,
        name: f.name,
        applied: applied.has(f.version),
        appliedAtMs: applied.get(f.version)?.getTime() ?? 0,
      })),
    };
  }

  async migrateTo(target?: number): Promise<MigrationState> {
    const last = this.files.at(-1)?.version ?? 0;
    const goal = target ?? last;
    if (goal > last) throw new FailedPreconditionError(`no migration ${goal}: the newest is ${last}`);
    const applied = await this.applied();
    for (const f of this.files) {
      if (f.version > goal || applied.has(f.version)) continue;
      await this.sql.transaction(async (tx) => {
        await tx.exec(f.up);
        await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [f.version, f.name]);
      });
    }
    return this.status();
  }

  async rollbackTo(target: number): Promise<MigrationState> {
    const applied = await this.applied();
    for (const f of [...this.files].reverse()) {
      if (f.version <= target || !applied.has(f.version)) continue;
      await this.sql.transaction(async (tx) => {
        await tx.exec(f.down);
        await tx.query("DELETE FROM schema_migrations WHERE version = $1", [f.version]);
      });
    }
    return this.status();
  }
}
