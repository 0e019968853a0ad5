import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  noop,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from "cockatiel";
import { DomainError, UnavailableError } from "../errors.js";

/** A call the breaker gave up on at its timeout: it may have reached the backend, so its outcome is unknown. */
export class BackendTimeoutError extends UnavailableError {}

export type BreakerState = "closed" | "open" | "half-open";

/** A bulkhead: calls running at once, and waiting beyond that, before calls are refused. */
export type Bulkhead = { limit: number; queue: number };

export type BreakerOptions = {
  /** Consecutive failures that open the circuit. */
  failures: number;
  /** How long an open circuit fails fast before letting one trial call through. */
  halfOpenAfterMs: number;
  /**
   * Per-call timeout. Omitted where the client bounds its own calls: where abandoning one would
   * leave its outcome unknown (pg: statement and connect timeouts end the call on the server too),
   * or where the client's own timer already ends it (ioredis's commandTimeout; name its error in
   * `isTimeout`).
   */
  timeoutMs?: number;
  /** The client's own timeout errors: answered like the breaker's (UNAVAILABLE, not retried). */
  isTimeout?: (err: unknown) => boolean;
  concurrency?: Bulkhead;
  /** Errors that are the backend failing rather than an answer; default: anything but a DomainError. */
  isFailure?: (err: unknown) => boolean;
};

/**
 * Retries of idempotent calls: one more attempt, 50-500 ms later with jitter, after a failure that
 * came back quickly (a reset connection). An open circuit, a full bulkhead or a timeout is not
 * retried: that would only hold the caller longer.
 */
const IDEMPOTENT_RETRIES = 1;
const SATURATED_RETRY_MS = 100;

/**
 * What stands between the service and one backend (cockatiel policies): a bulkhead, so a slow
 * backend holds at most its share of calls and the rest fail fast instead of queueing without
 * bound; a circuit breaker, so while a backend is down calls fail at once with UNAVAILABLE and
 * the time to the next trial; a per-call timeout; and, for calls the caller marks idempotent, a
 * retry with exponential backoff and jitter. Answers (a duplicate key, a missing row) pass
 * through unchanged and do not count as failures.
 */
export class Breaker {
  private readonly breaker;
  private readonly once: IPolicy;
  private readonly retried: IPolicy;
  private readonly probing: IPolicy;
  /** When the circuit last opened: until its half-open time, calls are refused before the bulkhead. */
  private openedAt = Number.NEGATIVE_INFINITY;
  private readonly isFailure: (err: unknown) => boolean;

  constructor(
    private readonly name: string,
    private readonly options: BreakerOptions,
  ) {
    this.isFailure = options.isFailure ?? ((err) => !(err instanceof DomainError));
    const failures = handleWhen((err) => this.isFailure(err));
    this.breaker = circuitBreaker(failures, { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.failures) });
    const limit = options.concurrency ? bulkhead(options.concurrency.limit, options.concurrency.queue) : noop;
    // The calls never look at the policy's signal, so it is not aborted on return: that would build
    // a DOMException for every call that succeeded (measured: ~4% of a cache Get's CPU).
    const deadline = options.timeoutMs === undefined ? noop : timeout(options.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    const quickFailures = handleWhen(
      (err) => this.isFailure(err) && !(err instanceof BrokenCircuitError || err instanceof BulkheadRejectedError || err instanceof TaskCancelledError || options.isTimeout?.(err) === true),
    );
    const retries = retry(quickFailures, { maxAttempts: IDEMPOTENT_RETRIES, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }) });
    this.once = wrap(limit, this.breaker, deadline);
    this.retried = wrap(limit, retries, this.breaker, deadline);
    this.probing = wrap(this.breaker, deadline);
    this.breaker.onBreak(() => (this.openedAt = performance.now()));
  }

  get state(): BreakerState {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return "closed";
      case CircuitState.HalfOpen:
        return "half-open";
      default:
        return "open";
    }
  }

  /**
   * `idempotent`: the call may run twice with the same effect, so a failure is retried once. An
   * open circuit refuses the call before it queues for the bulkhead: while the backend is down,
   * calls already running may hold every slot until their timeout (a client that retries
   * internally, as Weaviate's does), and the calls behind them must still fail at once.
   */
  async run<T>(fn: () => Promise<T>, { idempotent = false } = {}): Promise<T> {
    // After the half-open time the call goes on: cockatiel moves an open circuit to half-open
    // only when a call reaches it.
    if (this.breaker.state === CircuitState.Open && performance.now() - this.openedAt < this.options.halfOpenAfterMs) {
      throw this.translate(new BrokenCircuitError());
    }
    try {
      return await (idempotent ? this.retried : this.once).execute(fn);
    } catch (err) {
      throw this.translate(err);
    }
  }

  /**
   * A health probe: through the circuit (a failed probe counts as a failed call, and a probe can
   * be an open circuit's trial) and the timeout, but not the bulkhead, so it is never queued
   * behind the calls whose backend it is judging.
   */
  async probe(fn: () => Promise<void>): Promise<void> {
    try {
      await this.probing.execute(fn);
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): unknown {
    if (err instanceof BrokenCircuitError) {
      return new UnavailableError(`${this.name} is unavailable (circuit open)`, this.options.halfOpenAfterMs, { cause: err });
    }
    if (err instanceof BulkheadRejectedError) {
      const c = this.options.concurrency!;
      return new UnavailableError(`${this.name} is saturated (${c.limit} calls running, ${c.queue} waiting)`, SATURATED_RETRY_MS, { cause: err });
    }
    if (err instanceof TaskCancelledError || this.options.isTimeout?.(err) === true) {
      return new BackendTimeoutError(`${this.name} did not answer in time`, this.options.halfOpenAfterMs, { cause: err });
    }
    if (!this.isFailure(err)) return err;
    return new UnavailableError(`${this.name} failed: ${err instanceof Error ? err.message : String(err)}`, this.options.halfOpenAfterMs, { cause: err });
  }
}
