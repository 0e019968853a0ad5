import { performance } from "node:perf_hooks";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { CacheService } from "../gen/neliti/dataplane/v1/cache_pb.js";
import { UserService } from "../gen/neliti/dataplane/v1/user_pb.js";
import { ARGON2_PARAMS } from "../src/domain/users.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { arg, machine, round, summarize } from "./lib.js";

/** Authenticate latency (argon2id dominates), and what token validation adds to an authenticated RPC. */
export async function run() {
  const logins = arg("logins", 60);
  const calls = arg("calls", 4000);
  const admin = { BOOTSTRAP_ADMIN_EMAIL: "bench@example.com", BOOTSTRAP_ADMIN_PASSWORD: "bench password 123" };
  const measure = async (authOn: boolean) => {
    const svc = await startServerProcess({ ...admin, AUTH_ENABLED: String(authOn) });
    try {
      const t = createGrpcTransport({ baseUrl: svc.url });
      const users = createClient(UserService, t);
      const cache = createClient(CacheService, t);
      const loginMs: number[] = [];
      let token = "";
      for (let i = 0; i < logins; i++) {
        const t0 = performance.now();
        token = (await users.authenticate({ email: admin.BOOTSTRAP_ADMIN_EMAIL, password: admin.BOOTSTRAP_ADMIN_PASSWORD })).session!.token;
        loginMs.push(performance.now() - t0);
      }
      const headers = { authorization: `Bearer ${token}` };
      for (let i = 0; i < 300; i++) await cache.get({ key: "k" }, { headers });
      const rpcMs: number[] = [];
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        await cache.get({ key: "k" }, { headers });
        rpcMs.push(performance.now() - t0);
      }
      return { login: summarize(loginMs), rpc: summarize(rpcMs) };
    } finally {
      await svc.stop("SIGTERM");
    }
  };
  const on = await measure(true);
  const off = await measure(false);
  console.log(`Authenticate (argon2id m=${ARGON2_PARAMS.memoryCost} KiB, t=${ARGON2_PARAMS.timeCost}, p=${ARGON2_PARAMS.parallelism}): p50 ${on.login.p50} ms, p99 ${on.login.p99} ms over ${logins}`);
  console.log(`CacheService.Get with a session token: p50 ${on.rpc.p50} ms, p99 ${on.rpc.p99} ms; same call with auth off: p50 ${off.rpc.p50} ms, p99 ${off.rpc.p99} ms`);
  const added = { p50: round(on.rpc.p50 - off.rpc.p50), p99: round(on.rpc.p99 - off.rpc.p99) };
  console.log(`validation adds p50 ${added.p50} ms, p99 ${added.p99} ms (target: p99 <= 1 ms); ${machine()}`);
  return { bench: "auth", machine: machine(), date: new Date().toISOString(), argon2: ARGON2_PARAMS, authenticate: on.login, rpcAuthOn: on.rpc, rpcAuthOff: off.rpc, added };
}
