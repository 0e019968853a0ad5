import http2 from "node:http2";
import { create, fromBinary, toBinary, type DescMessage, type DescMethod, type DescService, type Message } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createMethodImplSpec,
  createServiceImplSpec,
  type ConnectRouter,
  type ContextValues,
  type Interceptor,
  type MethodImplSpec,
  type StreamRequest,
  type StreamResponse,
  type UnaryRequest,
  type UnaryResponse,
} from "@connectrpc/connect";
import { parseTimeout, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { toConnectError } from "../errors.js";
import { CallState } from "./call-context.js";
import { ENVELOPE_PREFIX_BYTES, envelope, EnvelopeReader, frameInPlace } from "./envelope.js";
import { WireHeaders } from "./wire-headers.js";

/**
 * The gRPC binary protocol (application/grpc, application/grpc+proto, uncompressed requests)
 * served straight from node:http2's stream API: the hot path of bridges, engines and grpcurl.
 *
 * Why by hand: measured on the same core (bench `floor`), connect-node spent 7-16x bare node:http2's
 * CPU on an empty call and @grpc/grpc-js 1.6-2.4x, leaving little or none of the 2x budget for the
 * interceptors. connect-node's cost
 * is its protocol-neutral pipeline (async iterables per call, linked AbortControllers, Headers
 * conversions), not the protocol, which is small: a length prefix, a path, a status trailer.
 * What this file does not need to own it takes from connect-es: the service implementations
 * (ServiceImpl), the interceptor chain (auth, metrics, tracing, validation, error mapping exist
 * once, for every protocol), the grpc-timeout parser and the status trailer encoder. gRPC-Web,
 * Connect, gRPC+JSON and compression (compressed requests, and compressed responses when they are
 * configured) keep going through connect-node on the same port.
 */

/** The methods `routes` registers, by request path ("/pkg.Service/Method"). */
function collectMethods(routes: (router: ConnectRouter) => void): MethodImplSpec[] {
  const methods: MethodImplSpec[] = [];
  const add = (spec: MethodImplSpec) => methods.push(spec);
  const collector: ConnectRouter = {
    handlers: [],
    service(service, impl) {
      for (const spec of Object.values(createServiceImplSpec(service, impl).methods)) add(spec);
      return collector;
    },
    rpc(method, impl) {
      add(createMethodImplSpec(method, impl));
      return collector;
    },
  };
  routes(collector);
  return methods;
}

/**
 * Writes a response message's bytes after `headroom` bytes (the gRPC envelope's prefix), in one
 * buffer or in parts written one after another (large fields left where they lie), or answers
 * undefined to leave it to toBinary.
 */
export type MessageEncoder = (message: Message, headroom: number) => Uint8Array | Uint8Array[] | undefined;

export type GrpcTransportOptions = {
  routes: (router: ConnectRouter) => void;
  interceptors: Interceptor[];
  readMaxBytes: number;
  writeMaxBytes: number;
  contextValues(stream: http2.ServerHttp2Stream): ContextValues;
  /**
   * Whether responses may be compressed (COMPRESS_MIN_BYTES set): callers that accept gzip are then
   * left to connect-node, which compresses; this transport writes identity only.
   */
  compressResponses: boolean;
  /** A request refused before any interceptor saw it (a malformed, truncated or oversized frame). */
  onRefused(method: DescMethod): void;
  /** Hand-written encoders by response type name, for messages toBinary copies too often. */
  encoders?: ReadonlyMap<string, MessageEncoder>;
};

const GRPC_CONTENT_TYPES = new Set(["application/grpc", "application/grpc+proto"]);
/** application/grpc with any codec (+proto, +json, ...); gRPC-Web's types are not gRPC's. */
export const isGrpcFamily = (contentType: string | undefined) => contentType !== undefined && /^application\/grpc(\+|;|$)/.test(contentType);
/** A unary request with no message or several: UNIMPLEMENTED, as gRPC's status codes and grpc-go answer it. */
const CARDINALITY = Code.Unimplemented;
const CANCELLED = new ConnectError("cancelled by the client", Code.Canceled);
const COMPLETED = new ConnectError("the call completed", Code.Canceled);

/**
 * A method as calls reach it: its implementation behind the interceptors. The chain is built once
 * per method, as connect-node builds it, not per call: every interceptor's `(next) => ...` and the
 * closures it makes would otherwise be made again for each call.
 */
type Route = {
  spec: MethodImplSpec;
  invoke: (req: UnaryRequest | StreamRequest) => Promise<UnaryResponse | StreamResponse>;
};

export class GrpcTransport {
  private readonly routes = new Map<string, Route>();
  /** Calls not yet closed, for shutdown to end with a status. */
  private readonly open = new Set<Call>();

  constructor(private readonly options: GrpcTransportOptions) {
    for (const spec of collectMethods(options.routes)) {
      this.routes.set(`/${spec.method.parent.typeName}/${spec.method.name}`, { spec, invoke: chain(invoker(spec), options.interceptors) });
    }
  }

  /**
   * Whether this transport serves the request; connect-node serves the rest. A gRPC request of any
   * codec or compression for a path that is no method is answered here too: connect-node would
   * answer HTTP 404, which gRPC clients only map to UNIMPLEMENTED by guessing from the HTTP status.
   */
  accepts(headers: http2.IncomingHttpHeaders): boolean {
    const encoding = headers["grpc-encoding"];
    const contentType = headers["content-type"];
    if (headers[":method"] !== "POST") return false;
    if (GRPC_CONTENT_TYPES.has(contentType ?? "")) {
      if ((encoding === undefined || encoding === "identity") && !(this.options.compressResponses && single(headers["grpc-accept-encoding"])?.includes("gzip"))) return true;
    }
    return isGrpcFamily(contentType) && !this.routes.has(headers[":path"] ?? "");
  }

  /**
   * Ends every open call with `reason` (trailers after what was written, or a trailers-only
   * response): what shutdown does to the calls still open when its grace is over, so that each
   * client reads a status it may retry on another replica instead of a reset stream.
   */
  shutdown(reason: ConnectError): void {
    for (const call of this.open) call.end(reason);
  }

  handle(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    // Without a listener, a peer's reset would be thrown from the stream; the call ends on "close".
    stream.on("error", ignore);
    const path = headers[":path"] ?? "";
    const route = this.routes.get(path);
    if (!route) {
      stream.on("data", ignore);
      return respondStatus(stream, new ConnectError(`${path} is not a method of this server`, Code.Unimplemented));
    }
    const call = new Call(stream, route, path, headers, this.options, this.open);
    void call.run();
  }
}

/**
 * A call's request as interceptors see it (connect's UnaryRequest or StreamRequest). A class: an
 * object literal with a getter is built in V8's slow dictionary mode (0.5 us against 16 ns for a
 * class, in isolation; under h2load the service's empty call cost 16% less CPU, and the collector
 * promoted half as much), and `signal` has to stay a lazy getter (see CallState). The getter lives
 * on the prototype, so a copy spread from a request (`{ ...req }`) has no `signal`: interceptors
 * that swap the message use `withMessage` (interceptors.ts), which keeps the call's state too.
 */
class CallRequest {
  readonly service: DescService;
  readonly requestMethod = "POST";
  readonly header: Headers;
  readonly contextValues: ContextValues;

  constructor(
    readonly stream: boolean,
    readonly method: DescMethod,
    readonly message: unknown,
    readonly url: string,
    /** How the method's implementation, at the end of the chain, reaches its call. */
    readonly callState: CallState,
  ) {
    this.service = method.parent;
    this.header = callState.requestHeader;
    this.contextValues = callState.values;
  }

  get signal(): AbortSignal {
    return this.callState.signal;
  }
}

function callStateOf(req: UnaryRequest | StreamRequest): CallState {
  if (req instanceof CallRequest) return req.callState;
  // Only an interceptor that rebuilt the request from scratch gets here: a bug of the server's, so
  // INTERNAL to the caller, and this text in the log line.
  throw new Error(`an interceptor replaced the request to ${req.url} without its call (use withMessage)`);
}

/** Runs a method's implementation for the request the interceptors pass on, as connect's response. */
function invoker(spec: MethodImplSpec): Route["invoke"] {
  const service = spec.method.parent;
  const output = spec.method.output;
  if (spec.kind === "unary") {
    const method = spec.method;
    return async (req) => {
      const state = callStateOf(req);
      const message = await spec.impl(req.message as Message, state.handlerContext(req.header, req.contextValues));
      return { stream: false, service, method, message: create(output, message), header: state.responseHeader, trailer: state.responseTrailer };
    };
  }
  const method = spec.method;
  return async (req) => {
    const state = callStateOf(req);
    const handlerContext = state.handlerContext(req.header, req.contextValues);
    const messages = req.message as AsyncIterable<Message>;
    const respond = (message: AsyncIterable<Message>): StreamResponse => ({ stream: true, service, method, message, header: state.responseHeader, trailer: state.responseTrailer });
    switch (spec.kind) {
      case "server_streaming":
        return respond(normalized(output, spec.impl(await onlyMessage(messages), handlerContext)));
      case "client_streaming":
        return respond(oneMessage(create(output, await spec.impl(messages, handlerContext))));
      case "bidi_streaming":
        return respond(normalized(output, spec.impl(messages, handlerContext)));
    }
  };
}

/** One gRPC call on one HTTP/2 stream. */
class Call {
  private readonly state: CallState;
  private readonly timeoutError: ConnectError | undefined;
  private headersSent = false;
  private done = false;

  constructor(
    private readonly stream: http2.ServerHttp2Stream,
    private readonly route: Route,
    private readonly url: string,
    headers: http2.IncomingHttpHeaders,
    private readonly options: GrpcTransportOptions,
    /** The transport's open calls: this one is in it until its stream closes. */
    open: Set<Call>,
  ) {
    const timeout = parseTimeout(single(headers["grpc-timeout"]) ?? null, Number.MAX_SAFE_INTEGER);
    this.timeoutError = timeout.error;
    this.state = new CallState(route.spec.method, url, new WireHeaders(headers), options.contextValues(stream), timeout.error ? undefined : timeout.timeoutMs, (reason) =>
      this.finish(reason),
    );
    open.add(this);
    // One close listener a call: each listener and closure is paid on every call (bench floor).
    stream.once("close", () => {
      open.delete(this);
      if (!this.done) this.state.end(CANCELLED);
      this.done = true;
      // The stream's listeners reach the whole call (its state, request, reader); a stream the
      // collector has promoted keeps them alive through every minor collection until the next
      // full one. Dropped once nothing more can happen on it: minor pauses 13 -> 8 ms and half as
      // much promoted per collection under h2load (bench/RESULTS.md, floor).
      // The error listener goes too, safely: a stream emits its error before its close, never
      // after (a write to a destroyed stream fails its callback without an event). Adding one
      // back here, with the read's reject field below, cost 5-15 us a call (A/B under h2load).
      stream.removeAllListeners();
    });
  }

  /** Ends the call with `reason`, whatever its handler is doing (shutdown). */
  end(reason: ConnectError): void {
    this.finish(reason);
  }

  async run(): Promise<void> {
    const spec = this.route.spec;
    if (this.timeoutError) {
      this.options.onRefused(spec.method);
      return this.finish(this.timeoutError);
    }
    try {
      if (spec.kind === "unary" || spec.kind === "server_streaming") {
        let input: Message;
        try {
          input = await this.readSingle(spec.method.input);
        } catch (err) {
          this.options.onRefused(spec.method);
          throw err;
        }
        if (this.state.ended) return;
        if (spec.kind === "unary") return await this.unary(spec.method, input);
        return await this.streaming(spec.method, oneMessage(input));
      }
      return await this.streaming(spec.method, this.readMessages(spec.method.input));
    } catch (err) {
      this.finish(toConnectError(err));
    }
  }

  /** The request as interceptors see it; `signal` stays lazy (see CallState). */
  private request<R extends UnaryRequest | StreamRequest>(stream: R["stream"], method: DescMethod, message: R["message"]): R {
    return new CallRequest(stream, method, message, this.url, this.state) as unknown as R;
  }

  private async unary(method: DescMethod, input: Message): Promise<void> {
    const res = (await this.route.invoke(this.request<UnaryRequest>(false, method, input))) as UnaryResponse;
    if (this.done) return;
    const bytes = this.encode(method.output, res.message);
    this.sendHeaders(res.header);
    this.write(bytes);
    this.stream.end();
    this.finishAfterWrite(res.trailer);
  }

  private async streaming(method: DescMethod, input: AsyncIterable<Message>): Promise<void> {
    const output = method.output;
    const res = (await this.route.invoke(this.request<StreamRequest>(true, method, input))) as StreamResponse;
    const it = res.message[Symbol.asyncIterator]();
    let complete = false;
    try {
      for (let r = await it.next(); !r.done; r = await it.next()) {
        if (this.done) return;
        const bytes = this.encode(output, r.value);
        this.sendHeaders(res.header);
        if (!this.write(bytes)) await drained(this.stream);
      }
      complete = true;
    } finally {
      // Cancelled, past the deadline or failed mid-stream: the handler's generator is ended, which
      // is what ends its subscriptions and its spans.
      if (!complete) await it.return?.();
    }
    if (this.done) return;
    this.sendHeaders(res.header);
    this.stream.end();
    this.finishAfterWrite(res.trailer);
  }

  /** The enveloped message: one buffer, or parts whose first holds the envelope's prefix. */
  private encode(schema: DescMessage, message: Message): Uint8Array | Uint8Array[] {
    const byHand = this.options.encoders?.get(schema.typeName)?.(message, ENVELOPE_PREFIX_BYTES);
    const framed = byHand ?? envelope(toBinary(schema, message));
    const size = byHand ? frameInPlace(byHand) : framed.length - ENVELOPE_PREFIX_BYTES;
    if (size > this.options.writeMaxBytes) {
      throw new ConnectError(`message size ${size} is larger than the limit of ${this.options.writeMaxBytes} bytes`, Code.ResourceExhausted);
    }
    return framed;
  }

  /** Writes a message's bytes; false when the stream asks to wait for 'drain'. Parts go out as one writev. */
  private write(bytes: Uint8Array | Uint8Array[]): boolean {
    if (!Array.isArray(bytes)) return this.stream.write(bytes);
    this.stream.cork();
    let more = true;
    for (const part of bytes) more = this.stream.write(part);
    this.stream.uncork();
    return more;
  }

  private sendHeaders(header: Headers): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.stream.respond(responseHead(header), { waitForTrailers: true });
  }

  /** The success trailers, once the body is written. */
  private finishAfterWrite(trailer: Headers): void {
    this.done = true;
    this.state.end(COMPLETED);
    this.stream.once("wantTrailers", () => this.stream.sendTrailers(statusHeaders(undefined, trailer)));
  }

  /** Ends the call with `err`: trailers after what was written, or a trailers-only response. */
  private finish(err: ConnectError): void {
    if (this.done) return;
    this.done = true;
    this.state.end(err);
    if (this.stream.destroyed || this.stream.closed) return;
    // What the client still sends is read and dropped, so its flow-control window never stalls it.
    if (!this.stream.readableEnded) this.stream.on("data", ignore).resume();
    // Trailers-only when no response metadata was set; otherwise the metadata goes out as headers,
    // where clients look for it (grpc-go reads a trailers-only response's metadata as trailers).
    if (!this.headersSent && isEmpty(this.state.responseHeader)) return respondStatus(this.stream, err, this.state.responseTrailer);
    this.sendHeaders(this.state.responseHeader);
    // Past the deadline with bytes still waiting for the client's window: trailers would queue
    // behind them and reach nobody (a client that reads nothing has given up on its own clock), so
    // the stream is reset instead of holding its buffers until the client's reset comes.
    if (err.code === Code.DeadlineExceeded && this.stream.writableLength > 0) return this.stream.close(http2.constants.NGHTTP2_CANCEL);
    this.stream.once("wantTrailers", () => this.stream.sendTrailers(statusHeaders(err, this.state.responseTrailer)));
    this.stream.end();
  }

  /** The one request message of a unary or server-streaming call, read as it arrives. */
  private readSingle(schema: DescMessage): Promise<Message> {
    return new Promise((resolve, reject) => {
      const reader = new EnvelopeReader(this.options.readMaxBytes);
      let found: Message | undefined;
      let failed = false;
      const fail = (err: unknown) => {
        failed = true;
        reject(err);
      };
      this.stream.on("data", (chunk: Buffer) => {
        if (failed) return; // the rest of a refused request is read and dropped
        try {
          for (const payload of reader.push(chunk)) {
            if (found) throw new ConnectError("protocol error: more than one request message for a method that takes one", CARDINALITY);
            found = decode(schema, payload);
          }
        } catch (err) {
          fail(err);
        }
      });
      // A reset while the request is still arriving leaves this promise pending: harmless, as the
      // close above removes these listeners and nothing else holds the read, so it is collected
      // with the call. Settling it from the close instead needed a field holding `reject` (see the
      // cost above).
      this.stream.once("end", () => {
        if (failed) return;
        try {
          reader.end();
          if (!found) throw new ConnectError("protocol error: no request message", CARDINALITY);
          resolve(found);
        } catch (err) {
          fail(err);
        }
      });
    });
  }

  private async *readMessages(schema: DescMessage): AsyncGenerator<Message> {
    const reader = new EnvelopeReader(this.options.readMaxBytes);
    // Not destroyed when the handler stops reading early: the stream still has to carry the status.
    try {
      for await (const chunk of this.stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        for (const payload of reader.push(chunk)) yield decode(schema, payload);
      }
    } catch (err) {
      // The client went away (its connection closed) before ending its messages: its cancel, not a failure here.
      if ((err as { code?: string }).code === "ERR_STREAM_PREMATURE_CLOSE") throw CANCELLED;
      throw err;
    }
    reader.end();
  }
}

function decode(schema: DescMessage, payload: Uint8Array): Message {
  try {
    return fromBinary(schema, payload);
  } catch (err) {
    throw new ConnectError(`the request message is not a valid ${schema.typeName}: ${err instanceof Error ? err.message : String(err)}`, Code.InvalidArgument);
  }
}

/** A status as HTTP/2 trailers (or the headers of a trailers-only response): grpc-status, grpc-message, details, metadata. */
export function statusHeaders(err: ConnectError | undefined, trailer?: Headers): http2.OutgoingHttpHeaders {
  if (!err && (!trailer || isEmpty(trailer))) return { "grpc-status": "0" };
  return copied({}, setTrailerStatus(new Headers(trailer), err));
}

/** The response's HEADERS: status 200, the gRPC content type and the handler's response metadata. */
function responseHead(header: Headers | undefined): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = { ":status": 200, "content-type": "application/grpc" };
  return header ? copied(out, header) : out;
}

function copied(out: http2.OutgoingHttpHeaders, headers: Headers): http2.OutgoingHttpHeaders {
  headers.forEach((value, key) => (out[key] = value));
  return out;
}

/** A trailers-only response: the status, with any response metadata, in the one HEADERS frame. */
export function respondStatus(stream: http2.ServerHttp2Stream, err: ConnectError, trailer?: Headers): void {
  if (stream.destroyed || stream.closed) return;
  stream.respond({ ...responseHead(undefined), ...statusHeaders(err, trailer) }, { endStream: true });
}

function isEmpty(headers: Headers): boolean {
  for (const _ of headers.keys()) return false;
  return true;
}

function chain<T>(invoke: T, interceptors: Interceptor[]): T {
  let next = invoke as Parameters<Interceptor>[0];
  for (let i = interceptors.length - 1; i >= 0; i--) next = interceptors[i]!(next);
  return next as T;
}

async function* oneMessage<T>(message: T): AsyncGenerator<T> {
  yield message;
}

async function onlyMessage<T>(messages: AsyncIterable<T>): Promise<T> {
  for await (const m of messages) return m;
  throw new ConnectError("protocol error: no request message", CARDINALITY);
}

async function* normalized<T extends DescMessage>(schema: T, messages: AsyncIterable<Parameters<typeof create<T>>[1]>): AsyncGenerator<Message> {
  for await (const m of messages) yield create(schema, m);
}

function drained(stream: http2.ServerHttp2Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const ignore = () => undefined;
