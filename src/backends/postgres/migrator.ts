import type { MigrationFile } from "../../migrations/migration-files.js";
import { StepMigrator } from "../../migrations/step-migrator.js";
import type { SqlClient } from "./sql-client.js";

/** The advisory lock migrations hold (any fixed 64-bit number; this is "neliti" in ASCII). */
const MIGRATION_LOCK = 0x6e656c697469n;

/**
 * Runs migrations/postgres on PostgreSQL or PGlite. A run (every pending migration, or every
 * rollback) is one transaction under a transaction-scoped advisory lock: replicas that start
 * together queue on the lock, each finding the migrations the one before applied, where
 * unlocked they raced to create the same tables ("duplicate key value violates unique constraint
 * pg_type_typname_nsp_index"). PostgreSQL's DDL is transactional, so a run that fails leaves
 * nothing half-applied.
 */
export class SqlMigrator extends StepMigrator {
  /** The run's transaction while one is under way: the lock makes runs on every client sequential. */
  private tx: SqlClient | undefined;

  constructor(
    private readonly sql: SqlClient,
    files: readonly MigrationFile[],
    adapter: string,
  ) {
    super(adapter, files);
  }

  protected override exclusively<T>(work: () => Promise<T>): Promise<T> {
    return this.sql.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      this.tx = tx;
      try {
        return await work();
      } finally {
        this.tx = undefined;
      }
    });
  }

  private get db(): SqlClient {
    return this.tx ?? this.sql;
  }

  protected async createRecord(): Promise<void> {
    await this.db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    );
  }

  protected async applied(): Promise<Map<number, number>> {
    const [record] = await this.db.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
    if (!record?.present) return new Map();
    const rows = await this.db.query<{ version: number; applied_at: Date }>("SELECT version, applied_at FROM schema_migrations");
    return new Map(rows.map((r) => [r.version, new Date(r.applied_at).getTime()]));
  }

  protected async apply(f: MigrationFile): Promise<void> {
    await this.db.exec(f.up);
    await this.db.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [f.version, f.name]);
  }

  protected async revert(f: MigrationFile): Promise<void> {
    await this.db.exec(f.down);
    await this.db.query("DELETE FROM schema_migrations WHERE version = $1", [f.version]);
  }
}
