import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { HealthCheckRequestSchema } from "../gen/grpc/health/v1/health_pb.js";
import { startServerProcess } from "../test/harness/server-process.js";
import { arg, machine, round } from "./lib.js";
import { ghzLatency, grpcBody, h2loadMedian, pin } from "./load.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** A floor server (bench/floor-server.ts) in its own process; its port. */
async function floorServer(kind: string): Promise<{ pid: number; port: number; stop(): void }> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "bench/floor-server.ts", kind], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (l) => resolve(Number(l)));
    child.once("exit", (code) => reject(new Error(`floor server ${kind} exited with ${code}`)));
  });
  return { pid: child.pid!, port, stop: () => child.kill() };
}

/**
 * The floor under every per-call target: an empty unary gRPC call (Health/Check) served by bare
 * node:http2, by @grpc/grpc-js, by @connectrpc/connect-node with no interceptors, and by the
 * service itself (its routes, interceptors and transport), each in its own process pinned to
 * core 0, loaded by h2load (Debian's nghttp2-client, C) pinned to core 1; server CPU per call
 * from /proc, medians of `rounds`. JSON: service_to_http2_cpu_ratio (target <= 2). Then the
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
  const results: Record<string, { callsPerSecond: number; cpuMicrosPerCall: number; oneAtATime: { p50: number; p99: number } }> = {};
  for (const [name, start] of Object.entries(servers)) {
    const server = await start();
    try {
      pin(server.pid, 0);
      const { runs, ...median } = h2loadMedian({ port: server.port, pid: server.pid, path: "/grpc.health.v1.Health/Check", body, calls }, rounds);
      const single = await ghzLatency({ port: server.port, call: "grpc.health.v1.Health/Check", data: {}, calls: latencyCalls, proto: "grpc/health/v1/health.proto" });
      results[name] = { ...median, oneAtATime: { p50: single.p50, p99: single.p99 } };
      console.log(
        `${name.padEnd(46)} ${String(median.callsPerSecond).padStart(7)} calls/s  ${String(median.cpuMicrosPerCall).padStart(7)} us server CPU a call  (runs: ${runs.map((r) => `${r.callsPerSecond}/${r.cpuMicrosPerCall}`).join(", ")}); ` +
          `one at a time (ghz) p50 ${single.p50} ms p99 ${single.p99} ms`,
      );
    } finally {
      await server.stop();
    }
  }
  const http2 = results["node:http2 (bare stream API)"]!.cpuMicrosPerCall;
  const ratio = (name: string) => round(results[name]!.cpuMicrosPerCall / http2, 2);
  console.log(`server CPU a call, relative to bare node:http2: grpc-js ${ratio("@grpc/grpc-js")}, connect-node ${ratio("connect-node, no interceptors")}, the service's transport alone ${ratio("the service's gRPC transport, no interceptors")}, the service ${ratio("the service (embedded, auth off)")} (target <= 2)`);
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
