import http2 from "node:http2";
import * as grpc from "@grpc/grpc-js";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { createContextValues } from "@connectrpc/connect";
import { GrpcTransport } from "../src/server/grpc-transport.js";
import { Health, HealthCheckResponse_ServingStatus } from "../gen/grpc/health/v1/health_pb.js";

/**
 * One empty unary gRPC endpoint, grpc.health.v1.Health/Check answering SERVING, served by the
 * implementation named in argv[2]: the layers under the service's own RPCs (see floor.ts).
 * Prints the port on stdout.
 */
const SERVING = Uint8Array.of(8, 1); // HealthCheckResponse { status: SERVING }
const PATH = "/grpc.health.v1.Health/Check";

function bareHttp2(): Promise<number> {
  // node:http2's stream API, the least a Node gRPC server can do: read the request, answer one
  // envelope and the status trailers.
  const envelope = Buffer.from([0, 0, 0, 0, SERVING.length, ...SERVING]);
  const server = http2.createServer();
  server.on("stream", (stream, headers) => {
    stream.on("data", () => undefined);
    stream.on("end", () => {
      if (headers[":path"] !== PATH) {
        stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12" }, { endStream: true });
        return;
      }
      stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(envelope);
    });
  });
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r((server.address() as { port: number }).port)));
}

function grpcJs(): Promise<number> {
  const server = new grpc.Server();
  const raw = (b: Buffer) => b;
  server.addService(
    { Check: { path: PATH, requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } },
    { Check: (_call: unknown, callback: (err: null, value: Buffer) => void) => callback(null, Buffer.from(SERVING)) },
  );
  return new Promise((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
}

function connectNode(): Promise<number> {
  const handler = connectNodeAdapter({ routes: (router) => router.rpc(Health.method.check, async () => ({ status: HealthCheckResponse_ServingStatus.SERVING })) });
  const server = http2.createServer(handler);
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r((server.address() as { port: number }).port)));
}

/** The service's own gRPC transport (src/server/grpc-transport.ts) with no interceptors. */
function neliti(): Promise<number> {
  const transport = new GrpcTransport({
    routes: (router) => router.rpc(Health.method.check, async () => ({ status: HealthCheckResponse_ServingStatus.SERVING })),
    interceptors: [],
    readMaxBytes: 4 << 20,
    writeMaxBytes: 4 << 20,
    compressResponses: false,
    contextValues: () => createContextValues(),
    onRefused: () => undefined,
  });
  const server = http2.createServer();
  server.on("stream", (stream, headers) => transport.handle(stream, headers));
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r((server.address() as { port: number }).port)));
}

const servers: Record<string, () => Promise<number>> = { "node:http2": bareHttp2, "grpc-js": grpcJs, "connect-node": connectNode, neliti };
const start = servers[process.argv[2] ?? ""];
if (!start) throw new Error(`floor-server: one of ${Object.keys(servers).join(", ")}`);
process.stdout.write(`${await start()}\n`);
