import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startServerProcess } from "../test/harness/server-process.js";
import { findTool } from "../test/harness/tools.js";
import { arg, cpuSeconds, machine, round } from "./lib.js";

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

/** Every thread of `pid` onto CPU `cpu`. */
const pin = (pid: number, cpu: number) => execFileSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { stdio: "ignore" });

/**
 * `calls` empty Health/Check calls from h2load (C, pinned to core 1) to a server pinned to core 0:
 * calls/s as h2load counts them, and the server's CPU per call from /proc.
 */
function load(h2load: string, port: number, pid: number, calls: number, body: string): { callsPerSecond: number; cpuMicrosPerCall: number } {
  const before = cpuSeconds(pid);
  const out = execFileSync(
    "taskset",
    ["-c", "1", h2load, "-n", String(calls), "-c", "4", "-m", "16", "-d", body, "-H", "content-type: application/grpc", "-H", "te: trailers", `http://127.0.0.1:${port}/grpc.health.v1.Health/Check`],
    { encoding: "utf8" },
  );
  const cpu = cpuSeconds(pid) - before;
  const done = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(out);
  const rate = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out);
  if (!done || Number(done[1]) !== calls || !rate) throw new Error(`h2load did not complete every call:\n${out}`);
  return { callsPerSecond: Math.round(Number(rate[1])), cpuMicrosPerCall: round((cpu * 1e6) / calls, 1) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The floor under every per-call target: an empty unary gRPC call (Health/Check) served by bare
 * node:http2, by @grpc/grpc-js, by @connectrpc/connect-node with no interceptors, and by the
 * service itself (its routes, interceptors and transport), each in its own process pinned to
 * core 0, loaded by h2load (Debian's nghttp2-client, C) pinned to core 1; server CPU per call
 * from /proc, medians of `rounds`. JSON: service_to_http2_cpu_ratio (target <= 2).
 */
export async function run() {
  const calls = arg("calls", 50_000);
  const rounds = arg("rounds", 3);
  const h2load = findTool("h2load");
  if (!h2load) throw new Error("h2load is not installed: scripts/stack.sh install tools (Debian's nghttp2-client)");
  const body = join(tmpdir(), `neliti-floor-${process.pid}.bin`);
  writeFileSync(body, Buffer.alloc(5)); // one empty request message in a gRPC envelope
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
  const results: Record<string, { callsPerSecond: number; cpuMicrosPerCall: number }> = {};
  for (const [name, start] of Object.entries(servers)) {
    const server = await start();
    try {
      pin(server.pid, 0);
      load(h2load, server.port, server.pid, Math.min(calls, 5_000), body); // warm-up
      const runs = Array.from({ length: rounds }, () => load(h2load, server.port, server.pid, calls, body));
      results[name] = { callsPerSecond: median(runs.map((r) => r.callsPerSecond)), cpuMicrosPerCall: median(runs.map((r) => r.cpuMicrosPerCall)) };
      console.log(`${name.padEnd(46)} ${String(results[name]!.callsPerSecond).padStart(7)} calls/s  ${String(results[name]!.cpuMicrosPerCall).padStart(7)} us server CPU a call  (runs: ${runs.map((r) => `${r.callsPerSecond}/${r.cpuMicrosPerCall}`).join(", ")})`);
    } finally {
      await server.stop();
    }
  }
  const http2 = results["node:http2 (bare stream API)"]!.cpuMicrosPerCall;
  const ratio = (name: string) => round(results[name]!.cpuMicrosPerCall / http2, 2);
  console.log(`server CPU a call, relative to bare node:http2: grpc-js ${ratio("@grpc/grpc-js")}, connect-node ${ratio("connect-node, no interceptors")}, the service's transport alone ${ratio("the service's gRPC transport, no interceptors")}, the service ${ratio("the service (embedded, auth off)")} (target <= 2)`);
  return {
    bench: "floor",
    client: "h2load",
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
