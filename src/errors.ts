import { Code, ConnectError } from "@connectrpc/connect";

/**
 * Typed domain errors. Domain code and adapters throw these; `toConnectError` is the one place
 * that maps them (and anything unexpected) to gRPC status codes.
 */

export type FieldViolationInfo = {
  /** Field path with indexes, e.g. "batch.rows.ticks[3].bid". */
  field: string;
  /** Index of the offending item within its batch, or -1. */
  index: number;
  description: string;
};

export abstract class DomainError extends Error {
  abstract readonly code: Code;
}

export class InvalidArgumentError extends DomainError {
  readonly code = Code.InvalidArgument;
  constructor(readonly violations: FieldViolationInfo[]) {
    super(violations.map((v) => `${v.field}: ${v.description}`).join("; "));
  }
  static field(field: string, description: string, index = -1): InvalidArgumentError {
    return new InvalidArgumentError([{ field, index, description }]);
  }
}

export class NotFoundError extends DomainError {
  readonly code = Code.NotFound;
}

export class AlreadyExistsError extends DomainError {
  readonly code = Code.AlreadyExists;
}

export class FailedPreconditionError extends DomainError {
  readonly code = Code.FailedPrecondition;
}

export class ResourceExhaustedError extends DomainError {
  readonly code = Code.ResourceExhausted;
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A backend is down or overloaded; the call may succeed if retried after `retryAfterMs`. */
export class UnavailableError extends DomainError {
  readonly code = Code.Unavailable;
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = Code.Unauthenticated;
}

export class PermissionDeniedError extends DomainError {
  readonly code = Code.PermissionDenied;
}

export class DeadlineExceededError extends DomainError {
  readonly code = Code.DeadlineExceeded;
}

/** Header carrying the suggested retry delay on UNAVAILABLE and RESOURCE_EXHAUSTED. */
export const RETRY_AFTER_HEADER = "retry-after-ms";

/**
 * Status messages and the violations trailer echo what the caller sent (a field's value, a name),
 * so they are bounded: an echoed 100 KB string would not fit an HTTP/2 header frame, and the peer
 * would tear down the whole connection instead of reading the status.
 */
const MAX_MESSAGE_CHARS = 512;
const MAX_VIOLATIONS_LISTED = 20;

function bounded(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS)}... (${text.length} characters in all)`;
}

/**
 * JSON with every non-ASCII character escaped: a header value must be Latin-1 text without control
 * characters, and a field path can echo a caller's Struct key (say, a right-to-left mark).
 */
function violationsTrailer(violations: readonly FieldViolationInfo[]): string {
  const listed = violations.slice(0, MAX_VIOLATIONS_LISTED).map((v) => ({ ...v, field: bounded(v.field), description: bounded(v.description) }));
  const json = JSON.stringify(violations.length > listed.length ? [...listed, { field: "", index: -1, description: `and ${violations.length - listed.length} more` }] : listed);
  return json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Maps any thrown value to a ConnectError. Domain errors keep their code and message; field
 * violations are listed in the message (machine-readable copies go in the `x-field-violations`
 * trailer as JSON, the first 20 of them); unexpected errors become INTERNAL without leaking their
 * text. Every message is bounded (see MAX_MESSAGE_CHARS).
 */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) {
    return err.rawMessage.length <= MAX_MESSAGE_CHARS ? err : new ConnectError(bounded(err.rawMessage), err.code, err.metadata, err.details.filter((d) => "desc" in d), err.cause);
  }
  if (err instanceof DomainError) {
    const meta = new Headers();
    if (err instanceof InvalidArgumentError) {
      meta.set("x-field-violations", violationsTrailer(err.violations));
    }
    if ((err instanceof UnavailableError || err instanceof ResourceExhaustedError) && err.retryAfterMs !== undefined) {
      meta.set(RETRY_AFTER_HEADER, String(err.retryAfterMs));
    }
    const message = err instanceof InvalidArgumentError && err.violations.length > MAX_VIOLATIONS_LISTED
      ? `${err.violations.slice(0, MAX_VIOLATIONS_LISTED).map((v) => `${v.field}: ${v.description}`).join("; ")}; and ${err.violations.length - MAX_VIOLATIONS_LISTED} more`
      : err.message;
    return new ConnectError(bounded(message), err.code, meta, undefined, err);
  }
  if (err instanceof Error && err.name === "AbortError") {
    return new ConnectError("request cancelled", Code.Canceled, undefined, undefined, err);
  }
  return new ConnectError("internal error", Code.Internal, undefined, undefined, err);
}
