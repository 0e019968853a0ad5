import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

export { CacheService } from "../gen/neliti/dataplane/v1/cache_pb.js";
export { GraphService } from "../gen/neliti/dataplane/v1/graph_pb.js";
export { HealthReportService, SchemaService } from "../gen/neliti/dataplane/v1/ops_pb.js";
export { StreamService } from "../gen/neliti/dataplane/v1/stream_pb.js";
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
