import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { createValidator } from "@bufbuild/protovalidate";
import type { DescMessage, Message } from "@bufbuild/protobuf";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { Code, ConnectError, type Interceptor, type StreamRequest } from "@connectrpc/connect";
import { RPC_REACHED } from "./context-keys.js";
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { InvalidArgumentError, toConnectError } from "../errors.js";
import { nativeRegexMatch } from "./regex-match.js";
import { badTextFields } from "./text-fields.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { callerContext } from "../observability/tracing.js";


/**
 * Observes every RPC: request id (the caller's x-request-id or a new UUID, answered in the response
 * headers, or with the status when the call fails), per-RPC counters by status code, latency, in-flight streams,
 * streamed message counts, one log line, a server span when tracing is on (continuing the
 * caller's W3C trace context; a stream's span ends with the stream); and maps every error to a gRPC status in one place
 * (errors.ts). Errors raised mid-stream are mapped as they pass through.
 */
export function observe(metrics: Metrics, log: Logger, tracer?: Tracer): Interceptor {
  return (next) => async (req) => {
    const mark = req.contextValues.get(RPC_REACHED);
    if (mark) mark.reached = true;
    const tally = metrics.rpc.of(req.method);
    const labels = tally.labels;
    const requestId = req.header.get("x-request-id") ?? randomUUID();
    const started = performance.now();
    const streaming = req.method.methodKind !== "unary";
    if (streaming) metrics.inflightStreams.inc(labels);
    const parent = tracer && callerContext(req.header);
    const span =
      tracer &&
      tracer.startSpan(
        `${labels.service}/${labels.method}`,
        { kind: SpanKind.SERVER, attributes: { "rpc.system": "grpc", "rpc.service": labels.service, "rpc.method": labels.method, "neliti.request_id": requestId } },
        parent,
      );
    let finished = false;
    /** Records the end of the call; `err` is already mapped to a status. */
    const finish = (err?: ConnectError) => {
      if (finished) return;
      finished = true;
      const code = err === undefined ? "ok" : codeName(err.code);
      const seconds = (performance.now() - started) / 1000;
      tally.finished(code, seconds);
      if (streaming) metrics.inflightStreams.dec(labels);
      if (span) {
        span.setAttribute("rpc.grpc.status_code", err?.code ?? 0);
        if (err) span.setStatus({ code: SpanStatusCode.ERROR, message: err.rawMessage });
        span.end();
      }
      if (err?.code === Code.InvalidArgument) metrics.rejections.inc(labels);
      if (err?.code === Code.Internal) {
        log.error({ err, requestId, rpc: req.url, ms: seconds * 1000 }, "rpc failed");
      } else if (log.isLevelEnabled("debug")) {
        // Asked first: the line's object would be built for every call only to be dropped.
        log.debug({ requestId, rpc: req.url, code, ms: seconds * 1000 }, "rpc");
      }
    };

    if (req.stream) req = withMessage(req, counted(req.message, () => metrics.messagesReceived.inc(labels)));
    try {
      const res = await (span && parent ? context.with(trace.setSpan(parent, span), () => next(req)) : next(req));
      res.header.set("x-request-id", requestId);
      if (!res.stream) {
        finish();
        return res;
      }
      return { ...res, message: mapStreamErrors(res.message, () => metrics.messagesSent.inc(labels), finish) };
    } catch (err) {
      const mapped = toConnectError(err);
      // A failed call carries its request id too (in the trailers), so a caller can quote it.
      mapped.metadata.set("x-request-id", requestId);
      finish(mapped);
      throw mapped;
    }
  };
}

/**
 * `req` with its messages replaced. Not `{ ...req, message }`: the gRPC transport's requests keep
 * their lazy `signal` getter on the prototype, which a spread would leave behind.
 */
export function withMessage<R extends StreamRequest>(req: R, message: R["message"]): R {
  return Object.assign(Object.create(Object.getPrototypeOf(req) as object) as R, req, { message });
}

/** "NotFound" -> "not_found", as gRPC spells status codes. */
export const codeName = (code: Code) => Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();

async function* counted<T>(source: AsyncIterable<T>, onMessage: () => void): AsyncIterable<T> {
  for await (const m of source) {
    onMessage();
    yield m;
  }
}

async function* mapStreamErrors<T>(source: AsyncIterable<T>, onMessage: () => void, finish: (err?: ConnectError) => void): AsyncIterable<T> {
  try {
    for await (const m of source) {
      onMessage();
      yield m;
    }
    finish();
  } catch (err) {
    const mapped = toConnectError(err);
    finish(mapped);
    throw mapped;
  } finally {
    // The client went away mid-stream: the generator was returned early.
    finish(new ConnectError("cancelled by the client", Code.Canceled));
  }
}

/**
 * Whether a request passes its protovalidate rules, written by hand for a hot request type. It may
 * answer false for a valid request, never true for an invalid one.
 */
export type ValidityShortcut = (message: Message) => boolean;

/**
 * Checks single-message requests (unary and server-streaming): text fields first (no NUL, no ill-formed
 * Unicode, anywhere), then their protovalidate rules. `shortcuts` (by request type name) answer
 * for protovalidate where they can say a request passes; when one cannot, protovalidate decides.
 * Streamed request messages (tick batches) are validated by their handlers, batch by batch,
 * because a bad batch must not end a long-lived ingest stream.
 */
export function validateRequests(shortcuts: ReadonlyMap<string, ValidityShortcut> = new Map()): Interceptor {
  const validator = createValidator({ regexMatch: nativeRegexMatch() });
  const check = (schema: DescMessage, message: Message) => {
    const badText = badTextFields(schema, message);
    if (badText.length > 0) throw new InvalidArgumentError(badText);
    if (shortcuts.get(schema.typeName)?.(message)) return;
    const result = validator.validate(schema, message);
    if (result.kind === "invalid") {
      throw new InvalidArgumentError(
        result.violations.map((v) => {
          const field = pathToString(v.field);
          const indexes = [...field.matchAll(/\[(\d+)\]/g)];
          return { field: field || "(request)", index: indexes.length > 0 ? Number(indexes.at(-1)![1]) : -1, description: v.message };
        }),
      );
    }
    if (result.kind === "error") throw result.error;
  };
  // Not async itself, so a valid call costs no promise of its own; a refusal is still a rejection.
  return (next) => (req) => {
    if (!req.stream) {
      try {
        check(req.method.input, req.message);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    // A server-streaming call reaches interceptors as a stream of its one request message: it is
    // checked as it is read, before the handler sees it.
    else if (req.method.methodKind === "server_streaming") req = withMessage(req, checked(req.message, (m) => check(req.method.input, m)));
    return next(req);
  };
}

async function* checked<T>(messages: AsyncIterable<T>, check: (m: T) => void): AsyncIterable<T> {
  for await (const m of messages) {
    check(m);
    yield m;
  }
}
