import pg from "pg";
import type { PoolStats } from "../../ports/backend.js";
import type { SqlClient } from "./sql-client.js";

export type PgPoolOptions = { min: number; max: number; connectTimeoutMs: number; statementTimeoutMs: number };

/** SqlClient over a `pg` pool (the production PostgreSQL path). */
export class PgSqlClient implements SqlClient {
  private readonly pool: pg.Pool;

  constructor(url: string, options: PgPoolOptions) {
    this.pool = new pg.Pool({
      connectionString: url,
      min: options.min,
      max: options.max,
      connectionTimeoutMillis: options.connectTimeoutMs,
      statement_timeout: options.statementTimeoutMs,
      application_name: "neliti-dataplane",
    });
    // An idle client that errors (server restart) must not crash the process; the pool drops it.
    this.pool.on("error", () => undefined);
  }

  async query<Row extends Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.pool.query<Row>(text, params as unknown[]);
    return result.rows;
  }

  async exec(script: string): Promise<void> {
    await this.pool.query(script);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: SqlClient = {
      query: async <Row extends Record<string, unknown>>(text: string, params: readonly unknown[] = []) =>
        (await client.query<Row>(text, params as unknown[])).rows,
      exec: async (script) => {
        await client.query(script);
      },
      transaction: (inner) => inner(tx),
    };
    try {
      await client.query("BEGIN");
      const result = await fn(tx);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  poolStats(): PoolStats {
    return { inUse: this.pool.totalCount - this.pool.idleCount, idle: this.pool.idleCount, max: this.pool.options.max ?? 0 };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
