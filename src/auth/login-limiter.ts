import { ResourceExhaustedError } from "../errors.js";

/**
 * Failed-login limits per account and per client address: at most `perAccount` / `perAddress`
 * failures in a sliding `windowMs`; past that, Authenticate answers RESOURCE_EXHAUSTED with the
 * time until the oldest failure leaves the window. In memory, per replica.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly perAccount = 5,
    private readonly perAddress = 20,
    private readonly windowMs = 15 * 60_000,
  ) {}

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  check(email: string, address: string, now = Date.now()): void {
    for (const [key, max] of [[`account:${email.toLowerCase()}`, this.perAccount], [`address:${address}`, this.perAddress]] as const) {
      const list = this.recent(key, now);
      if (list.length >= max) {
        throw new ResourceExhaustedError("too many failed logins; try again later", list[0]! + this.windowMs - now);
      }
    }
  }

  fail(email: string, address: string, now = Date.now()): void {
    for (const key of [`account:${email.toLowerCase()}`, `address:${address}`]) this.failures.set(key, [...this.recent(key, now), now]);
    // Bounded: a flood of distinct accounts must not grow this without end.
    if (this.failures.size > 100_000) this.failures.clear();
  }

  succeed(email: string): void {
    this.failures.delete(`account:${email.toLowerCase()}`);
  }
}
