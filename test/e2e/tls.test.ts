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

describe("mutual TLS (TLS_CLIENT_CA_FILE)", () => {
  let dir: string;
  let server: ServerProcess;
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  /** A key and a certificate for `cn` signed by the test's CA. */
  const issue = (name: string, cn: string, extensions: string) => {
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", `/CN=${cn}`, "-keyout", file(`${name}.key`), "-out", file(`${name}.csr`));
    execFileSync("sh", ["-c", `printf '%s' "$EXT" > ${file(`${name}.ext`)}`], { env: { ...process.env, EXT: extensions } });
    openssl("x509", "-req", "-in", file(`${name}.csr`), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial", "-days", "1", "-extfile", file(`${name}.ext`), "-out", file(`${name}.pem`));
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "neliti-mtls-"));
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=neliti test CA", "-keyout", file("ca.key"), "-out", file("ca.pem"));
    issue("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1\n");
    issue("client", "strategy-engine-1", "extendedKeyUsage=clientAuth\n");
    // A client certificate from another CA: self-signed.
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=stranger", "-keyout", file("stranger.key"), "-out", file("stranger.pem"));
    server = await startServerProcess({ TLS_CERT_FILE: file("server.pem"), TLS_KEY_FILE: file("server.key"), TLS_CLIENT_CA_FILE: file("ca.pem") });
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  const client = async (cert?: string) => {
    const ca = await readFile(file("ca.pem"));
    const nodeOptions = cert ? { ca, cert: await readFile(file(`${cert}.pem`)), key: await readFile(file(`${cert}.key`)) } : { ca };
    return createClient(Health, createGrpcTransport({ baseUrl: `https://127.0.0.1:${server.port}`, nodeOptions }));
  };

  it("serves a client presenting a certificate from the configured CA", async () => {
    expect((await (await client("client")).check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it("refuses a client without a certificate, and one with a certificate from another CA", async () => {
    // The server ends the handshake (TLS alert "certificate required", or a reset / closed stream
    // for a certificate it cannot verify, depending on timing): the call fails, no RPC runs.
    for (const cert of [undefined, "stranger"]) {
      const outcome = await (await client(cert)).check({}, { timeoutMs: 5000 }).catch((e: unknown) => e);
      expect(outcome, `client certificate: ${cert ?? "none"}`).toBeInstanceOf(ConnectError);
      expect(ConnectError.from(outcome).message).toMatch(/certificate|ECONNRESET|stream closed|socket hang up/i);
    }
  });
});
