import type { DescService, MessageInitShape } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

export { CacheService } from "../gen/neliti/dataplane/v1/cache_pb.js";
export { GraphService } from "../gen/neliti/dataplane/v1/graph_pb.js";
export { HealthReportService, SchemaService } from "../gen/neliti/dataplane/v1/ops_pb.js";
export { StreamService } from "../gen/neliti/dataplane/v1/stream_pb.js";
import type { TickColumnsSchema } from "../gen/neliti/dataplane/v1/tick_pb.js";
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
  return createClient(service, createGrpcTransport({ baseUrl: options.baseUrl, interceptors: [auth] }));
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
