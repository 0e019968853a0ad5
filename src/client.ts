import type { DescService, MessageInitShape } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import type http2 from "node:http2";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";

export { CacheService } from "../gen/neliti/dataplane/v1/cache_pb.js";
export { GraphService } from "../gen/neliti/dataplane/v1/graph_pb.js";
export { HealthReportService, SchemaService } from "../gen/neliti/dataplane/v1/ops_pb.js";
export { StreamService } from "../gen/neliti/dataplane/v1/stream_pb.js";
import type { IndicatorSeries, TickColumns, TickColumnsSchema } from "../gen/neliti/dataplane/v1/tick_pb.js";
export { TickService } from "../gen/neliti/dataplane/v1/tick_pb.js";
export { UserService } from "../gen/neliti/dataplane/v1/user_pb.js";
export { VectorService } from "../gen/neliti/dataplane/v1/vector_pb.js";

export type ClientOptions = {
  /** e.g. "http://127.0.0.1:50051" */
  baseUrl: string;
  /** Sent as x-api-key on every call. */
  apiKey?: string;
  /** Sent as "authorization: Bearer ..." on every call. */
  bearerToken?: string;
};

/**
 * One call to get a typed gRPC client for any service, for strategy engines:
 *
 *   const ticks = connect(TickService, { baseUrl: "http://127.0.0.1:50051" });
 *   const { ticks: recent } = await ticks.getRecentTicks({ symbol: "EURUSD", limit: 100 });
 */
export function connect<S extends DescService>(service: S, options: ClientOptions): Client<S> {
  const auth: Interceptor = (next) => (req) => {
    if (options.apiKey) req.header.set("x-api-key", options.apiKey);
    if (options.bearerToken) req.header.set("authorization", `Bearer ${options.bearerToken}`);
    return next(req);
  };
  return createClient(service, createGrpcTransport({ baseUrl: options.baseUrl, interceptors: [auth], sessionManager: wideWindowSessions(options.baseUrl) }));
}

/** What each stream may receive before the client reads it (SETTINGS_INITIAL_WINDOW_SIZE). */
export const STREAM_RECEIVE_WINDOW_BYTES = 4 * 1024 * 1024;
/** What the whole connection may receive before the client reads it. */
export const CONNECTION_RECEIVE_WINDOW_BYTES = 32 * 1024 * 1024;

/**
 * HTTP/2 sessions that let the server send megabytes ahead. Node's client windows default to
 * 64 KiB for the connection and each stream, so a bulk read (QueryTicks, ReplayTicks) stalls every
 * 64 KiB until the client's WINDOW_UPDATE reaches the server: on one host, bare node:http2 sent
 * 100 MB in 401 ms that way and in 88 ms with these windows (bench/RESULTS.md). The sizes are those
 * Node itself moves to (nodejs/node#64623); Python's and Go's gRPC grow their windows on their own.
 * The connection window can only be set on an open session, so it is widened on the first stream
 * each session carries, before any of its data can arrive.
 */
export function wideWindowSessions(baseUrl: string, options?: http2.ClientSessionOptions | http2.SecureClientSessionOptions): Http2SessionManager {
  return new WideWindowSessionManager(baseUrl, undefined, { ...options, settings: { initialWindowSize: STREAM_RECEIVE_WINDOW_BYTES, ...options?.settings } });
}

class WideWindowSessionManager extends Http2SessionManager {
  private readonly widened = new WeakSet<http2.Http2Session>();

  override async request(...args: Parameters<Http2SessionManager["request"]>): Promise<http2.ClientHttp2Stream> {
    const stream = await super.request(...args);
    const session = stream.session;
    if (session && !session.destroyed && !this.widened.has(session)) {
      session.setLocalWindowSize(CONNECTION_RECEIVE_WINDOW_BYTES);
      this.widened.add(session);
    }
    return stream;
  }
}

/** A columnar batch as typed arrays, one element per tick (see TickColumns in tick.proto). */
export type TickArrays = {
  symbols: string[];
  brokers: string[];
  symbolIndex: Uint32Array;
  brokerIndex: Uint32Array;
  /** AccountType values. */
  accountType: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  timeMsc: BigInt64Array;
  bid: Float64Array;
  ask: Float64Array;
  last: Float64Array;
  volume: Float64Array;
  flags: Uint32Array;
};

/** TickColumns from typed arrays: each array's bytes as they are in memory (little-endian hosts). */
export function tickColumns(t: TickArrays): MessageInitShape<typeof TickColumnsSchema> {
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return {
    symbols: t.symbols,
    brokers: t.brokers,
    symbolIndex: bytes(t.symbolIndex),
    brokerIndex: bytes(t.brokerIndex),
    accountType: bytes(t.accountType),
    timeMsc: bytes(t.timeMsc),
    bid: bytes(t.bid),
    ask: bytes(t.ask),
    last: bytes(t.last),
    volume: bytes(t.volume),
    flags: bytes(t.flags),
  };
}

/** Typed arrays from a GetIndicators series answered with columnar set (copied, so aligned). */
export function indicatorArrays(s: IndicatorSeries): { timeMsc: BigInt64Array; values: Float64Array } {
  return { timeMsc: new BigInt64Array(new Uint8Array(s.timeMscColumn).buffer), values: new Float64Array(new Uint8Array(s.valueColumn).buffer) };
}

/**
 * Typed arrays from TickColumns (a QueryTicks response with columnar set): one copy per column,
 * into arrays of their own, aligned for their type (a received bytes field sits at any offset of
 * the message buffer, so a view is not always possible).
 */
export function tickArrays(c: TickColumns): TickArrays {
  // new Uint8Array(bytes) copies (a Buffer's slice() would not).
  const copy = <T>(bytes: Uint8Array, make: (buffer: ArrayBuffer) => T): T => make(new Uint8Array(bytes).buffer);
  return {
    symbols: c.symbols,
    brokers: c.brokers,
    symbolIndex: copy(c.symbolIndex, (b) => new Uint32Array(b)),
    brokerIndex: copy(c.brokerIndex, (b) => new Uint32Array(b)),
    accountType: new Uint8Array(c.accountType),
    timeMsc: copy(c.timeMsc, (b) => new BigInt64Array(b)),
    bid: copy(c.bid, (b) => new Float64Array(b)),
    ask: copy(c.ask, (b) => new Float64Array(b)),
    last: copy(c.last, (b) => new Float64Array(b)),
    volume: copy(c.volume, (b) => new Float64Array(b)),
    flags: copy(c.flags, (b) => new Uint32Array(b)),
  };
}
