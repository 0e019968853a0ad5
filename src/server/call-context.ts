import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues, type HandlerContext } from "@connectrpc/connect";
import { setLongTimeout } from "./long-timeout.js";

/**
 * One call's state as the gRPC transport keeps it: its cancellation signal, deadline and response
 * metadata. connect-es's createHandlerContext builds two linked AbortControllers, three Headers and
 * a Date for every call; most calls never look at the signal, so this creates its AbortController
 * only when someone asks for `signal`, and the deadline is one timer.
 */
export class CallState {
  private controller: AbortController | undefined;
  private reason: ConnectError | undefined;
  private readonly cancelTimer: (() => void) | undefined;
  private readonly deadlineAt: number | undefined;
  readonly responseHeader = new Headers();
  readonly responseTrailer = new Headers();

  constructor(
    readonly method: DescMethod,
    readonly url: string,
    readonly requestHeader: Headers,
    readonly values: ContextValues,
    timeoutMs: number | undefined,
    /** Called when the deadline passes before the call ended. */
    onDeadline: (reason: ConnectError) => void,
  ) {
    if (timeoutMs !== undefined) {
      this.deadlineAt = performance.now() + timeoutMs;
      this.cancelTimer = setLongTimeout(() => {
        const reason = new ConnectError("the operation timed out", Code.DeadlineExceeded);
        this.end(reason);
        onDeadline(reason);
      }, timeoutMs);
    }
  }

  /** Aborted when the call ends: done, cancelled by the client, or past its deadline. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Why the call ended, once it has. */
  get ended(): ConnectError | undefined {
    return this.reason;
  }

  end(reason: ConnectError): void {
    if (this.reason) return;
    this.reason = reason;
    this.cancelTimer?.();
    this.controller?.abort(reason);
  }

  /**
   * What a handler sees (connect's HandlerContext), with the request metadata and context values
   * the interceptors passed on.
   */
  handlerContext(requestHeader: Headers, values: ContextValues): HandlerContext {
    return new CallHandlerContext(this, requestHeader, values);
  }

  /** Milliseconds left before the deadline, if the call has one. */
  remainingMs(): number | undefined {
    return this.deadlineAt === undefined ? undefined : this.deadlineAt - performance.now();
  }
}

/**
 * A class rather than an object literal, for the reason CallRequest is one (grpc-transport.ts): a
 * literal with a getter is built in V8's slow dictionary mode, and `signal` has to stay lazy.
 */
class CallHandlerContext implements HandlerContext {
  readonly method: DescMethod;
  readonly service: DescService;
  readonly requestMethod = "POST";
  readonly protocolName = "grpc";
  readonly url: string;
  readonly responseHeader: Headers;
  readonly responseTrailer: Headers;

  constructor(
    private readonly state: CallState,
    readonly requestHeader: Headers,
    readonly values: ContextValues,
  ) {
    this.method = state.method;
    this.service = state.method.parent;
    this.url = state.url;
    this.responseHeader = state.responseHeader;
    this.responseTrailer = state.responseTrailer;
  }

  get signal(): AbortSignal {
    return this.state.signal;
  }

  // An arrow, as connect's own context has it: callers may take it off the context and call it.
  readonly timeoutMs = (): number | undefined => this.state.remainingMs();
}
