/**
 * Node's timers hold at most 2^31-1 ms (24.8 days): a longer delay is clamped to 1 ms, with a
 * TimeoutOverflowWarning. gRPC allows deadlines up to 99999999 hours and Connect up to 10^10 ms,
 * and a bridge may well set a month on its long-lived stream; such a deadline must fire when it
 * says, not at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `setTimeout` for any delay: a delay past the timer's range is waited out in steps. Answers the
 * function that cancels it. Hand-written: the npm packages for this (long-timeout) are a dozen
 * lines unmaintained since 2017, and this is six.
 */
export function setLongTimeout(fire: () => void, delayMs: number): () => void {
  let timer: NodeJS.Timeout;
  const arm = (left: number) => {
    timer = left > MAX_TIMER_MS ? setTimeout(() => arm(left - MAX_TIMER_MS), MAX_TIMER_MS) : setTimeout(fire, left);
  };
  arm(delayMs);
  return () => clearTimeout(timer);
}
