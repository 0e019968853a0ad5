import type http from "node:http";
import type http2 from "node:http2";
import { Code, ConnectError, createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { parseTimeout as parseConnectTimeout } from "@connectrpc/connect/protocol-connect";
import { parseTimeout as parseGrpcTimeout } from "@connectrpc/connect/protocol-grpc";
import { MAX_TIMER_MS, setLongTimeout } from "./long-timeout.js";

/**
 * What the connect-node path (gRPC-Web, Connect, gRPC+JSON, compressed gRPC) needs so that it
 * answers as the gRPC transport does: deadlines of any length, and a stream that its deadline or
 * the shutdown ended reports that status instead of OK.
 */

/** A deadline beyond Node's timer range, taken off the request for the request gate to keep. */
export const LONG_DEADLINE_MS = createContextKey<number | undefined>(undefined, { description: "a deadline past 24.8 days" });

const TIMEOUT_HEADERS = [
  { name: "grpc-timeout", parse: parseGrpcTimeout },
  { name: "connect-timeout-ms", parse: parseConnectTimeout },
] as const;

/**
 * Removes a timeout header whose deadline lies past Node's timer range and answers it in ms.
 * connect-node arms one setTimeout with the whole deadline, which Node clamps to 1 ms: a 30-day
 * deadline ended the call at once. Shorter and malformed timeouts stay for connect-node to handle.
 */
export function takeLongTimeout(headers: http.IncomingHttpHeaders | http2.IncomingHttpHeaders): number | undefined {
  for (const { name, parse } of TIMEOUT_HEADERS) {
    const value = headers[name];
    if (typeof value !== "string") continue;
    const { timeoutMs } = parse(value, Number.MAX_SAFE_INTEGER);
    if (timeoutMs === undefined || timeoutMs <= MAX_TIMER_MS) continue;
    delete headers[name];
    return timeoutMs;
  }
  return undefined;
}

type AbortableContext = HandlerContext & { abort(reason?: unknown): void };

/**
 * connect-node's request gate: keeps a deadline `takeLongTimeout` took off the request, aborting the
 * call's context when it passes as connect-node's own deadline would. (The handler's `timeoutMs()`
 * answers undefined for such a call: connect-node never saw its header.)
 */
export function keepLongDeadline(context: HandlerContext): void {
  const ms = context.values.get(LONG_DEADLINE_MS);
  if (ms === undefined || !("abort" in context)) return;
  const cancel = setLongTimeout(() => (context as AbortableContext).abort(new ConnectError("the operation timed out", Code.DeadlineExceeded)), ms);
  context.signal.addEventListener("abort", cancel, { once: true });
}

/**
 * On the connect-node path a handler that sees its signal aborted (deadline, shutdown) and simply
 * returns ends the call OK (a stream past its deadline ended with grpc-status 0), and one that
 * throws the AbortError it got ends CANCELLED. This ends such a call with the signal's reason, as
 * the gRPC transport ends it. The innermost interceptor.
 */
export const endsWithAbortReason: Interceptor = (next) => async (req) => {
  const signal = req.signal;
  let res;
  try {
    res = await next(req);
  } catch (err) {
    throw abortReasonOr(signal, err);
  }
  if (!res.stream) {
    throwAbortReason(signal);
    return res;
  }
  const messages = res.message;
  return {
    ...res,
    message: (async function* () {
      try {
        yield* messages;
      } catch (err) {
        throw abortReasonOr(signal, err);
      }
      throwAbortReason(signal);
    })(),
  };
};

function abortReasonOr(signal: AbortSignal, err: unknown): unknown {
  return signal.aborted && signal.reason instanceof ConnectError ? signal.reason : err;
}

function throwAbortReason(signal: AbortSignal): void {
  if (signal.aborted && signal.reason instanceof ConnectError) throw signal.reason;
}
