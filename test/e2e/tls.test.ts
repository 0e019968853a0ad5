import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { startServerProcess, type ServerProcess } from "../harness/server-process.js";

describe("TLS", () => {
  let dir: string;
  let server: ServerProcess;
  let ca: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "neliti-tls-"));
    // A certificate made for this test: self-signed, for 127.0.0.1.
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    ], { stdio: "ignore" });
    ca = await readFile(join(dir, "cert.pem"));
    server = await startServerProcess({ TLS_CERT_FILE: join(dir, "cert.pem"), TLS_KEY_FILE: join(dir, "key.pem") });
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("serves gRPC over TLS to a client that trusts the certificate", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: `https://127.0.0.1:${server.port}`, nodeOptions: { ca } }));
    expect((await health.check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it("refuses a client that does not trust it, and cleartext", async () => {
    const untrusting = createClient(Health, createGrpcTransport({ baseUrl: `https://127.0.0.1:${server.port}` }));
    const err = await untrusting.check({}).catch((e: unknown) => e);
    // connect-node reports the rejected certificate as an internal client error.
    expect(ConnectError.from(err).message).toMatch(/self.signed|certificate/i);
    const cleartext = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.port}` }));
    const err2 = await cleartext.check({}, { timeoutMs: 3000 }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(Error);
  });
});
