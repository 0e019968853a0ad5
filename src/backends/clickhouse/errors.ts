import { UnavailableError } from "../../errors.js";

const TRANSIENT_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "UND_ERR_SOCKET"]);

/** Server-side error codes that mean "try again later": too many parts/queries, memory limit, timeouts. */
const TRANSIENT_SERVER_CODES = new Set(["159", "160", "202", "203", "241", "252", "209", "210"]);

/**
 * ClickHouse being down, restarting, slow or overloaded becomes UNAVAILABLE (the ingest layer
 * spools on it); anything else (a bad query, a schema mismatch) stays an internal error.
 */
export function classify(err: unknown, retryAfterMs = 1000): unknown {
  if (!(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  const transient =
    (typeof code === "string" && (TRANSIENT_CODES.has(code) || TRANSIENT_SERVER_CODES.has(code))) ||
    /socket hang up|Timeout error|connect ECONNREFUSED|other side closed|aborted/i.test(err.message);
  return transient ? new UnavailableError(`ClickHouse unavailable: ${err.message}`, retryAfterMs, { cause: err }) : err;
}

/** ClickHouse's code for a table that is not there (its message differs across versions). */
export const UNKNOWN_TABLE = "60";
/** ClickHouse's code for a CREATE of a table that exists. */
export const TABLE_ALREADY_EXISTS = "57";

/**
 * The server's error code of a failed query, when it is one. The client parses it only from
 * current servers' messages, which end in the code's name; 18.16's ("Code: 57, e.displayText()
 * = ...") give it at the start.
 */
export function serverCode(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : /^Code: (\d+),/.exec(err.message)?.[1];
}
