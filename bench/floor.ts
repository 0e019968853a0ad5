import { HealthCheckRequestSchema } from "../gen/grpc/health/v1/health_pb.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { arg, benchServer, machine, median, round } from "./lib.js";
import { ghzLatency, grpcBody, h2load, type H2loadResult, pin } from "./load.js";

/** A floor server (bench/floor-server.ts) in its own process; its port. */
const floorServer = (kind: string) => benchServer("floor-server.ts", [kind]);

/**
 * The floor under every per-call target: an empty unary gRPC call (Health/Check) served by bare
 * node:http2, by @grpc/grpc-js, by @connectrpc/connect-node with no interceptors, and by the
 * service itself (its routes, interceptors and transport), each in its own process pinned to
 * core 0, loaded by h2load (Debian's nghttp2-client, C) pinned to core 1; server CPU per call
 * from /proc, medians of `rounds` (interleaved across the servers). JSON: service_to_http2_cpu_ratio (target <= 2). Then the
 * latency of one call at a time from ghz (Go, core 1): the floor under every latency target.
 */
export async function run() {
  const calls = arg("calls", 50_000);
  const rounds = arg("rounds", 3);
  const latencyCalls = arg("latency-calls", 5_000);
  const body = grpcBody(HealthCheckRequestSchema, {});
  console.log(`floor bench: ${calls} empty Health/Check calls a round, ${rounds} rounds, h2load -c 4 -m 16 on core 1, server on core 0; ${machine()}`);

  const servers: Record<string, () => Promise<{ pid: number; port: number; stop(): void | Promise<unknown> }>> = {
    "node:http2 (bare stream API)": () => floorServer("node:http2"),
    "@grpc/grpc-js": () => floorServer("grpc-js"),
    "connect-node, no interceptors": () => floorServer("connect-node"),
    "the service's gRPC transport, no interceptors": () => floorServer("neliti"),
    "the service (embedded, auth off)": async () => {
      const s = await startServerProcess();
      return { pid: s.proc.pid!, port: s.port, stop: () => s.stop() };
    },
  };
  // Every server runs for the whole bench and the rounds are interleaved (each round visits every
  // server in turn), so a slow spell of this shared machine falls on all of them rather than on
  // whichever server was being measured; ratios are taken within a round, then their median.
  const running: Record<string, { pid: number; port: number; stop(): void | Promise<unknown> }> = {};
  const perRound: Record<string, H2loadResult[]> = {};
  const latency: Record<string, { p50: number; p99: number }[]> = {};
  try {
    for (const [name, start] of Object.entries(servers)) {
      running[name] = await start();
      pin(running[name].pid, 0);
      perRound[name] = [];
      latency[name] = [];
    }
    const h2 = (name: string, n: number) => h2load({ port: running[name]!.port, pid: running[name]!.pid, path: "/grpc.health.v1.Health/Check", body, calls: n });
    for (const name of Object.keys(servers)) h2(name, Math.min(calls, 5_000));
    for (let r = 0; r < rounds; r++) {
      for (const name of Object.keys(servers)) {
        perRound[name]!.push(h2(name, calls));
        const single = await ghzLatency({ port: running[name]!.port, call: "grpc.health.v1.Health/Check", data: {}, calls: latencyCalls, proto: "grpc/health/v1/health.proto" });
        latency[name]!.push({ p50: single.p50, p99: single.p99 });
      }
    }
  } finally {
    for (const server of Object.values(running)) await server.stop();
  }
  const results = Object.fromEntries(
    Object.keys(servers).map((name) => {
      const runs = perRound[name]!;
      return [name, { callsPerSecond: median(runs.map((x) => x.callsPerSecond)), cpuMicrosPerCall: median(runs.map((x) => x.cpuMicrosPerCall)), oneAtATime: { p50: median(latency[name]!.map((x) => x.p50)), p99: median(latency[name]!.map((x) => x.p99)) }, runs }];
    }),
  );
  for (const [name, x] of Object.entries(results)) {
    console.log(
      `${name.padEnd(46)} ${String(x.callsPerSecond).padStart(7)} calls/s  ${String(x.cpuMicrosPerCall).padStart(7)} us server CPU a call  (rounds: ${x.runs.map((r) => `${r.callsPerSecond}/${r.cpuMicrosPerCall}`).join(", ")}); ` +
        `one at a time (ghz) p50 ${x.oneAtATime.p50} ms p99 ${x.oneAtATime.p99} ms`,
    );
  }
  const HTTP2 = "node:http2 (bare stream API)";
  /** The median over rounds of a server's CPU a call over bare node:http2's in the same round. */
  const ratio = (name: string) => round(median(perRound[name]!.map((x, r) => x.cpuMicrosPerCall / perRound[HTTP2]![r]!.cpuMicrosPerCall)), 2);
  console.log(`server CPU a call, relative to bare node:http2 (median of each round's ratio): grpc-js ${ratio("@grpc/grpc-js")}, connect-node ${ratio("connect-node, no interceptors")}, the service's transport alone ${ratio("the service's gRPC transport, no interceptors")}, the service ${ratio("the service (embedded, auth off)")} (target <= 2)`);
  return {
    bench: "floor",
    client: { cpu: "h2load", latency: "ghz" },
    machine: machine(),
    date: new Date().toISOString(),
    calls,
    rounds,
    results,
    service_to_http2_cpu_ratio: ratio("the service (embedded, auth off)"),
    grpc_js_to_http2_cpu_ratio: ratio("@grpc/grpc-js"),
    connect_to_http2_cpu_ratio: ratio("connect-node, no interceptors"),
    transport_to_http2_cpu_ratio: ratio("the service's gRPC transport, no interceptors"),
  };
}
