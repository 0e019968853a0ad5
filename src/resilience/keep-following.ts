import type { Logger } from "../observability/logger.js";

/**
 * Runs `body` until `signal` aborts, again 2 s after each failure (a broker restart, a
 * rebalance that fenced a commit): the loops that follow the log must outlive their backends.
 */
export async function keepFollowing(what: string, log: Logger, signal: AbortSignal, body: () => Promise<void>): Promise<void> {
  while (!signal.aborted) {
    try {
      await body();
    } catch (err) {
      if (signal.aborted) return;
      log.warn({ err: err instanceof Error ? err.message : String(err) }, `${what} restarting in 2 s`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
