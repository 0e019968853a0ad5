import pg from "pg";
import { DomainError } from "../../errors.js";
import type { PoolStats } from "../../ports/backend.js";
import { Breaker, type BreakerState, type Bulkhead } from "../../resilience/breaker.js";
import { type SqlClient, sqlErrorCode } from "./sql-client.js";

export type PgPoolOptions = {
  min: number;
  max: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  concurrency?: Bulkhead;
};

/**
 * SQLSTATE classes that mean the server, not the statement, is in trouble: connection exception,
 * insufficient resources, operator intervention (shutdown, query cancelled by timeout), system
 * error, internal error. Others (a duplicate key, a bad value) are answers.
 */
const SERVER_TROUBLE = new Set(["08", "53", "57", "58", "XX"]);

function isServerFailure(err: unknown): boolean {
  if (err instanceof DomainError) return false;
  const code = sqlErrorCode(err);
  // Socket errors carry Node codes (ECONNREFUSED) or none at all.
  if (code === undefined || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return SERVER_TROUBLE.has(code.slice(0, 2));
}

/**
 * SqlClient over a `pg` pool (the production PostgreSQL path). Statements and transactions go
 * through a bulkhead and circuit breaker; pg's own connect and statement timeouts bound each call.
 */
export class PgSqlClient implements SqlClient {
  private readonly pool: pg.Pool;
  private readonly breaker: Breaker;

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
    this.breaker = new Breaker("postgres", { failures: 5, halfOpenAfterMs: 2000, concurrency: options.concurrency, isFailure: isServerFailure });
  }

  get circuit(): BreakerState {
    return this.breaker.state;
  }

  async query<Row extends Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.breaker.run(() => this.pool.query<Row>(text, params as unknown[]));
    return result.rows;
  }

  async exec(script: string): Promise<void> {
    await this.pool.query(script);
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.breaker.run(() => this.transactionNow(fn));
  }

  private async transactionNow<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
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
