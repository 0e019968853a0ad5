import type { ClickHouseClient } from "@clickhouse/client";
import type { MigrationFile } from "../../migrations/migration-files.js";
import { StepMigrator } from "../../migrations/step-migrator.js";
import type { Capabilities } from "./capabilities.js";
import { serverCode, UNKNOWN_TABLE } from "./errors.js";
import { ClickHouseMigrationLock, type HeldLock, type LockTiming } from "./migration-lock.js";

/**
 * Applies migrations/clickhouse. A file may hold `-- @legacy` / `-- @modern` ... `-- @end`
 * sections; only the one matching the server is run. ClickHouse takes one statement per request,
 * so files are split at `;` ending a line. Applied/rolled-back events are appended to
 * schema_migrations (no mutations needed on old servers); the newest event per version wins.
 * One process migrates at a time (ClickHouseMigrationLock), and it checks it still holds the
 * lock before every statement.
 */
export class ClickHouseMigrator extends StepMigrator {
  private seq = 0;
  private readonly lock: ClickHouseMigrationLock;
  private held: HeldLock | undefined;

  /** `client` needs two connections: the lock is renewed while a long statement runs. */
  constructor(
    private readonly client: ClickHouseClient,
    private readonly caps: Capabilities,
    files: readonly MigrationFile[],
    lockTiming?: LockTiming,
  ) {
    super("clickhouse", files);
    this.lock = new ClickHouseMigrationLock(client, lockTiming);
  }

  protected override exclusively<T>(work: () => Promise<T>): Promise<T> {
    return this.lock.hold(async (held) => {
      this.held = held;
      try {
        return await work();
      } finally {
        this.held = undefined;
      }
    });
  }

  protected async createRecord(): Promise<void> {
    await this.client.command({
      query:
        "CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied UInt8, at_ms UInt64) ENGINE = MergeTree ORDER BY (version, at_ms)",
    });
  }

  protected async applied(): Promise<Map<number, number>> {
    let rows: { version: number; state: number; last_ms: number }[];
    try {
      const rs = await this.client.query({
        query: "SELECT version, argMax(applied, at_ms) AS state, max(at_ms) AS last_ms FROM schema_migrations GROUP BY version",
        format: "JSONEachRow",
        clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
      });
      rows = await rs.json();
    } catch (err) {
      if (serverCode(err) === UNKNOWN_TABLE) return new Map();
      throw err;
    }
    return new Map(rows.filter((r) => r.state === 1).map((r) => [r.version, Number(r.last_ms)]));
  }

  protected async apply(f: MigrationFile): Promise<void> {
    await this.run(f.up);
    await this.record(f, 1);
  }

  protected async revert(f: MigrationFile): Promise<void> {
    await this.run(f.down);
    await this.record(f, 0);
  }

  private async run(sql: string): Promise<void> {
    for (const statement of statements(sql, this.caps.modern)) {
      await this.held?.verify();
      await this.client.command({ query: statement });
    }
  }

  private async record(f: MigrationFile, applied: 0 | 1): Promise<void> {
    // Strictly increasing even within one millisecond, so the newest event is unambiguous.
    const atMs = Math.max(Date.now(), this.seq + 1);
    this.seq = atMs;
    await this.client.insert({ table: "schema_migrations", values: [{ version: f.version, name: f.name, applied, at_ms: atMs }], format: "JSONEachRow" });
  }
}

/** The statements of a migration file for this server generation. */
export function statements(sql: string, modern: boolean): string[] {
  const kept: string[] = [];
  let section: "all" | "legacy" | "modern" = "all";
  for (const line of sql.split("\n")) {
    const marker = /^--\s*@(legacy|modern|end)\b/.exec(line.trim());
    if (marker) {
      section = marker[1] === "end" ? "all" : (marker[1] as "legacy" | "modern");
      continue;
    }
    if (section === "all" || (section === "modern") === modern) kept.push(line);
  }
  return kept
    .join("\n")
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter((s) => s.length > 0);
}
