import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from "cockatiel";
import { DomainError, UnavailableError } from "../errors.js";

export type BreakerState = "closed" | "open" | "half-open";

export type BreakerOptions = {
  /** Consecutive failures that open the circuit. */
  failures: number;
  /** How long an open circuit fails fast before letting one trial call through. */
  halfOpenAfterMs: number;
  /** Per-call timeout. */
  timeoutMs: number;
};

/**
 * A circuit breaker with a per-call timeout around one backend (cockatiel). While open, calls
 * fail at once with UNAVAILABLE carrying the time to the next trial, so callers are not held up
 * by a backend that is down. Domain errors (a bad value, a missing key) are answers, not
 * failures: they pass through without counting.
 */
export class Breaker {
  private readonly policy;
  private readonly breaker;

  constructor(
    private readonly name: string,
    private readonly options: BreakerOptions,
  ) {
    this.breaker = circuitBreaker(
      handleWhen((err) => !(err instanceof DomainError)),
      { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.failures) },
    );
    this.policy = wrap(this.breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
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

  async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(fn);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      if (err instanceof BrokenCircuitError) {
        throw new UnavailableError(`${this.name} is unavailable (circuit open)`, this.options.halfOpenAfterMs, { cause: err });
      }
      if (err instanceof TaskCancelledError) {
        throw new UnavailableError(`${this.name} did not answer within ${this.options.timeoutMs} ms`, this.options.halfOpenAfterMs, { cause: err });
      }
      throw new UnavailableError(`${this.name} failed: ${err instanceof Error ? err.message : String(err)}`, this.options.halfOpenAfterMs, { cause: err });
    }
  }
}
