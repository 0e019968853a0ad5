import type { Logger } from "../observability/logger.js";

/**
 * A loop that follows the log (the tick-log tail and writer, the stream consumer): runs its body
 * until stopped, again 2 s after each failure (a broker restart, a rebalance that fenced a
 * commit), since these loops must outlive their backends. `signal` ends with `stop()`; pass it to
 * whatever the body waits on.
 */
export class Follower {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly what: string,
    private readonly log: Logger,
  ) {}

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Starts following with `body`; a second call while it runs does nothing. */
  start(body: () => Promise<void>): void {
    this.running ??= this.keepFollowing(body);
  }

  /** Aborts `signal` and resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async keepFollowing(body: () => Promise<void>): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        await body();
      } catch (err) {
        if (signal.aborted) return;
        this.log.warn({ err: err instanceof Error ? err.message : String(err) }, `${this.what} restarting in 2 s`);
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }
}
