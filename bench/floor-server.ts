import http2 from "node:http2";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "../gen/grpc/health/v1/health_pb.js";

/** A bare connect-node server whose one handler does no work: the floor under any RPC (see floor.ts). */
const handler = connectNodeAdapter({
  routes: (router) =>
    router.rpc(Health.method.check, async () => ({ status: HealthCheckResponse_ServingStatus.SERVING })),
});
const server = http2.createServer(handler).listen(0, "127.0.0.1", () => {
  process.send?.((server.address() as { port: number }).port);
});
