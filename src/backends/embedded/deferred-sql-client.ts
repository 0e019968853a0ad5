import type { SqlClient } from "../postgres/sql-client.js";

/**
 * A SqlClient whose connection is still being made: every call waits for it, then runs. It lets
 * the embedded mode listen before PGlite has initialised a fresh database (about 2.5 s of
 * WebAssembly initdb); calls that arrive meanwhile are answered late rather than refused.
 */
export class DeferredSqlClient implements SqlClient {
  constructor(private readonly ready: Promise<SqlClient>) {
    // Whoever awaits `ready` sees a failure; this one only keeps it from being unhandled.
    ready.catch(() => undefined);
  }

  async query<Row extends Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]> {
    return (await this.ready).query<Row>(text, params);
  }

  async exec(script: string): Promise<void> {
    return (await this.ready).exec(script);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return (await this.ready).transaction(fn);
  }
}
