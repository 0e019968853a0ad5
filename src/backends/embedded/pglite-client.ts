import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { SqlClient } from "../postgres/sql-client.js";

/**
 * SqlClient over PGlite: PostgreSQL compiled to WebAssembly, in this process. Data lives in
 * `dataDir` (or memory when undefined). PGlite is single-connection, so calls are serialized by it.
 */
export class PgliteSqlClient implements SqlClient {
  private constructor(private readonly db: PGlite) {}

  static async open(dataDir: string | undefined): Promise<PgliteSqlClient> {
    // PGlite creates its own folder but not the folders above it (a fresh ./data).
    if (dataDir !== undefined) mkdirSync(dirname(dataDir), { recursive: true });
    const db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
    await db.waitReady;
    return new PgliteSqlClient(db);
  }

  async query<Row extends Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.db.query<Row>(text, params as unknown[])).rows;
  }

  async exec(script: string): Promise<void> {
    await this.db.exec(script);
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.db.transaction((t) => fn(wrapTransaction(t)));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

function wrapTransaction(t: Transaction): SqlClient {
  const tx: SqlClient = {
    query: async <Row extends Record<string, unknown>>(text: string, params: readonly unknown[] = []) =>
      (await t.query<Row>(text, params as unknown[])).rows,
    exec: async (script) => {
      await t.exec(script);
    },
    transaction: (inner) => inner(tx),
  };
  return tx;
}
