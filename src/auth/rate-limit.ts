import type { Interceptor } from "@connectrpc/connect";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { ResourceExhaustedError } from "../errors.js";
import { PRINCIPAL } from "./principal.js";

/**
 * Requests per second per credential (each API key, each user's sessions), counted in one-second
 * windows in this process (rate-limiter-flexible). Past the limit: RESOURCE_EXHAUSTED with
 * `retry-after-ms`, the time until the window frees. Runs after authentication, so unauthenticated
 * calls are refused before they count, and open methods (health, login) are not limited here
 * (login has its own failure limits). A stream counts once, when it opens.
 */
export function rateLimit(perSecond: number): Interceptor {
  const limiter = new RateLimiterMemory({ points: perSecond, duration: 1 });
  return (next) => async (req) => {
    const principal = req.contextValues.get(PRINCIPAL);
    if (!principal || principal.via === "anonymous-dev") return next(req);
    try {
      await limiter.consume(principal.subject);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      throw new ResourceExhaustedError(`rate limit of ${perSecond} requests per second for this credential reached`, Math.max(1, res.msBeforeNext));
    }
    return next(req);
  };
}
