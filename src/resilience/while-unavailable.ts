import { setTimeout as sleep } from "node:timers/promises";
import { UnavailableError } from "../errors.js";

/**
 * Runs `attempt` again, `pollMs` apart, for as long as it fails UNAVAILABLE and `forMs` have not
 * passed; then the last failure stands. For a start that must not give up on a backend that is
 * only busy: a broker answering three replicas creating one topic can run an admin call past its
 * budget, and the next call is answered. Any other failure ends it at once. Written here rather
 * than with cockatiel's retry, whose limit is a count of attempts: an attempt can take anything
 * from a millisecond to its whole budget, and the start's bound is time.
 */
export async function whileUnavailable<T>(attempt: () => Promise<T>, { forMs, pollMs }: { forMs: number; pollMs: number }): Promise<T> {
  const deadline = performance.now() + forMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof UnavailableError) || performance.now() + pollMs >= deadline) throw err;
    }
    await sleep(pollMs);
  }
}
