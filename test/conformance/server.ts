import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, createRegistry, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ServerCompatRequestSchema, ServerCompatResponseSchema } from "./gen/connectrpc/conformance/v1/server_compat_pb.js";
import { file_connectrpc_conformance_v1_service } from "./gen/connectrpc/conformance/v1/service_pb.js";
import { conformanceRoutes } from "./service.js";
import { COMPRESSION_OFF } from "../../src/config.js";
import { createLogger } from "../../src/observability/logger.js";
import { Metrics } from "../../src/observability/metrics.js";
import { startServer } from "../../src/server/http-server.js";

/**
 * The server under test for `connectconformance --mode server` (scripts/conformance.sh): reads a
 * size-delimited ServerCompatRequest from stdin, serves the ConformanceService on the service's own
 * stack (startServer: the gRPC transport, connect-node for gRPC-Web and Connect, HTTP/1.1 and
 * HTTP/2, TLS when asked), and answers a ServerCompatResponse on stdout. COMPRESS_MIN_BYTES, as
 * the service reads it, turns on compressed responses (a second run of the suite).
 */
const DEFAULT_LIMIT = 16 * 1024 * 1024;

async function main(): Promise<void> {
  const request = fromBinary(ServerCompatRequestSchema, await readDelimited());
  const dir = mkdtempSync(join(tmpdir(), "conformance-"));
  let tls;
  if (request.useTls && request.serverCreds) {
    const file = (name: string, bytes: Uint8Array) => (writeFileSync(join(dir, name), bytes), join(dir, name));
    tls = {
      certFile: file("cert.pem", request.serverCreds.cert),
      keyFile: file("key.pem", request.serverCreds.key),
      clientCaFile: request.clientTlsCert.length > 0 ? file("client-ca.pem", request.clientTlsCert) : undefined,
    };
  }
  const compressMinBytes = process.env.COMPRESS_MIN_BYTES ? Number(process.env.COMPRESS_MIN_BYTES) : COMPRESSION_OFF;
  const server = await startServer(
    { routes: conformanceRoutes, interceptors: [], metrics: new Metrics(), jsonOptions: { registry: createRegistry(file_connectrpc_conformance_v1_service) } },
    { host: "127.0.0.1", port: 0, tls, maxMessageBytes: request.messageReceiveLimit || DEFAULT_LIMIT, writeMaxBytes: DEFAULT_LIMIT, http2WindowBytes: 1024 * 1024, compressMinBytes },
    createLogger("silent"),
  );
  const response = toBinary(ServerCompatResponseSchema, create(ServerCompatResponseSchema, { host: "127.0.0.1", port: server.port, pemCert: request.useTls ? request.serverCreds?.cert : undefined }));
  const size = Buffer.alloc(4);
  size.writeUInt32BE(response.length);
  process.stdout.write(Buffer.concat([size, response]));
  process.once("SIGTERM", () => {
    void server.close(0).finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

/** One message from stdin, after its 4-byte big-endian length. */
async function readDelimited(): Promise<Uint8Array> {
  let buffered = Buffer.alloc(0);
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) return buffered.subarray(4, 4 + buffered.readUInt32BE(0));
  }
  throw new Error("stdin ended before a ServerCompatRequest");
}

void main();
