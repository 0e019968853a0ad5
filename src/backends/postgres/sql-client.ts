import { AlreadyExistsError, InvalidArgumentError } from "../../errors.js";

/**
 * The little of a SQL connection that the PostgreSQL adapters need. Two implementations: `pg`
 * against a real PostgreSQL, and PGlite in-process for embedded mode, so the same SQL (and the
 * same migrations) run in both and one contract suite covers both.
 */
export interface SqlClient {
  /** One parameterized statement. Values are always passed as parameters, never spliced in. */
  query<Row extends Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Several statements with no parameters (migrations). */
  exec(script: string): Promise<void>;
  /** Runs `fn` in one transaction, committed when it resolves and rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** The circuit breaker's state, where the client has one (not in process). */
  readonly circuit?: "closed" | "open" | "half-open";
}

/** PostgreSQL error fields the adapters inspect (both pg and PGlite expose `code`). */
export function sqlErrorCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err && typeof err.code === "string") return err.code;
  return undefined;
}

export const UNIQUE_VIOLATION = "23505";
export const FOREIGN_KEY_VIOLATION = "23503";

/**
 * Runs a write, turning constraint violations into domain errors: a unique violation into
 * ALREADY_EXISTS with `duplicate`, a foreign-key violation into INVALID_ARGUMENT on `reference`.
 */
export async function explainConstraints(run: () => Promise<unknown>, duplicate: string, reference?: { field: string; message: string }): Promise<void> {
  try {
    await run();
  } catch (err) {
    const code = sqlErrorCode(err);
    if (code === UNIQUE_VIOLATION) throw new AlreadyExistsError(duplicate);
    if (code === FOREIGN_KEY_VIOLATION && reference) throw InvalidArgumentError.field(reference.field, reference.message);
    throw err;
  }
}
