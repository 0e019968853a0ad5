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
