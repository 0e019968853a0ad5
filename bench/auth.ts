import { performance } from "node:perf_hooks";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { GetRequestSchema } from "../gen/neliti/dataplane/v1/cache_pb.js";
import { UserService } from "../gen/neliti/dataplane/v1/user_pb.js";
import { ARGON2_PARAMS } from "../src/domain/users.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { arg, machine, round, summarize } from "./lib.js";
import { ghzLatency, grpcBody, h2loadMedian, pin } from "./load.js";

/**
 * Authenticate latency (argon2id dominates), and what token validation adds to an authenticated
 * RPC: CacheService.Get with a session token on a server with auth on against the same Get on a
 * server with auth off, latency one call at a time from ghz and server CPU a call from h2load
 * (8 streams), each server pinned to core 0 and the clients to core 1. Target: p99 added <= 0.3 ms.
 */
export async function run() {
  const logins = arg("logins", 60);
  const calls = arg("calls", 5000);
  const rounds = arg("rounds", 3);
  const admin = { BOOTSTRAP_ADMIN_EMAIL: "bench@example.com", BOOTSTRAP_ADMIN_PASSWORD: "bench password 123" };
  const body = grpcBody(GetRequestSchema, { key: "k" });
  const measure = async (authOn: boolean) => {
    const svc = await startServerProcess({ ...admin, AUTH_ENABLED: String(authOn) });
    try {
      const users = createClient(UserService, createGrpcTransport({ baseUrl: svc.url }));
      const loginMs: number[] = [];
      let token = "";
      for (let i = 0; i < logins; i++) {
        const t0 = performance.now();
        token = (await users.authenticate({ email: admin.BOOTSTRAP_ADMIN_EMAIL, password: admin.BOOTSTRAP_ADMIN_PASSWORD })).session!.token;
        loginMs.push(performance.now() - t0);
      }
      const headers = { authorization: `Bearer ${token}` };
      pin(svc.proc.pid!, 0);
      const latency = await ghzLatency({ port: svc.port, call: "neliti.dataplane.v1.CacheService/Get", data: { key: "k" }, calls, metadata: headers });
      const cpu = h2loadMedian({ port: svc.port, pid: svc.proc.pid!, path: "/neliti.dataplane.v1.CacheService/Get", body, calls: calls * 4, clients: 1, streams: 8, headers }, rounds);
      return { login: summarize(loginMs), latency, cpu };
    } finally {
      await svc.stop("SIGTERM");
    }
  };
  const on = await measure(true);
  const off = await measure(false);
  const added = { p50: round(on.latency.p50 - off.latency.p50), p99: round(on.latency.p99 - off.latency.p99), cpuMicros: round(on.cpu.cpuMicrosPerCall - off.cpu.cpuMicrosPerCall, 1) };
  console.log(`Authenticate (argon2id m=${ARGON2_PARAMS.memoryCost} KiB, t=${ARGON2_PARAMS.timeCost}, p=${ARGON2_PARAMS.parallelism}), Node client: p50 ${on.login.p50} ms, p99 ${on.login.p99} ms over ${logins}`);
  console.log(`CacheService.Get with a session token (ghz): p50 ${on.latency.p50} ms, p99 ${on.latency.p99} ms; auth off: p50 ${off.latency.p50} ms, p99 ${off.latency.p99} ms`);
  console.log(`server CPU a Get (h2load, 8 streams): ${on.cpu.cpuMicrosPerCall} us with the token, ${off.cpu.cpuMicrosPerCall} us with auth off`);
  console.log(`validation adds p50 ${added.p50} ms, p99 ${added.p99} ms (target: p99 <= 0.3 ms), ${added.cpuMicros} us of CPU a call; ${machine()}`);
  return { bench: "auth", client: { login: "connect-node", latency: "ghz", cpu: "h2load" }, machine: machine(), date: new Date().toISOString(), argon2: ARGON2_PARAMS, authenticate: on.login, on: { latency: on.latency, cpu: on.cpu }, off: { latency: off.latency, cpu: off.cpu }, added };
}
