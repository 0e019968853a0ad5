import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { toBinary, type DescMessage, type MessageInitShape, create } from "@bufbuild/protobuf";
import { envelope } from "../src/server/envelope.js";
import { findTool } from "../test/harness/tools.js";
import { cpuSeconds, percentile, round } from "./lib.js";

/**
 * Cheap load generators for per-call figures, pinned away from the server: a Node client spends as
 * much CPU per call as the server, so the server's own cost is read with C and Go clients.
 * The server is pinned to core 0, the load generator to core 1.
 */

const PROTO_DIR = fileURLToPath(new URL("../proto", import.meta.url));

/**
 * Calls of each method a latency bench makes before it measures: a fresh process's first
 * thousands of calls run on code V8 has not optimized yet, and their p99 is start-up's, not serving's.
 */
export const WARM_UP_CALLS = 20_000;

/** Every thread of `pid` onto CPU `cpu`. */
export const pin = (pid: number, cpu: number) => execFileSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { stdio: "ignore" });

export function requireTool(name: "h2load" | "ghz"): string {
  const path = findTool(name);
  if (!path) throw new Error(`${name} is not installed: scripts/stack.sh install tools`);
  return path;
}

/** A file holding one request message in a gRPC envelope (h2load sends it as every call's body). */
export function grpcBody<T extends DescMessage>(schema: T, message: MessageInitShape<T>): string {
  const payload = toBinary(schema, create(schema, message));
  const file = join(tmpdir(), `neliti-bench-${process.pid}-${schema.typeName}-${payload.length}.bin`);
  writeFileSync(file, envelope(payload));
  return file;
}

/** meanMs: h2load's mean time a request takes (it does not decode responses, so no client work is in it). */
export type H2loadResult = { callsPerSecond: number; cpuMicrosPerCall: number; meanMs: number };

type H2loadOptions = { port: number; path: string; body: string; calls: number; clients?: number; streams?: number; headers?: Record<string, string> };

/** taskset's arguments to run h2load on core 1 with `opts`, and `extra` flags. */
function h2loadArgs(opts: H2loadOptions, extra: string[] = []): string[] {
  return [
    "-c",
    "1",
    requireTool("h2load"),
    "-n",
    String(opts.calls),
    "-c",
    String(opts.clients ?? 4),
    "-m",
    String(opts.streams ?? 16),
    "-d",
    opts.body,
    "-H",
    "content-type: application/grpc",
    "-H",
    "te: trailers",
    ...Object.entries(opts.headers ?? {}).flatMap(([k, v]) => ["-H", `${k}: ${v}`]),
    ...extra,
    `http://127.0.0.1:${opts.port}${opts.path}`,
  ];
}

function requireEveryCall(out: string, calls: number): void {
  const done = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(out);
  if (!done || Number(done[1]) !== calls) throw new Error(`h2load did not complete every call:\n${out}`);
}

/**
 * `calls` unary gRPC calls of `path` with `body` from h2load (Debian's nghttp2-client, C) on core 1,
 * `clients` connections x `streams` concurrent streams each; the server's CPU per call from /proc.
 * Throws unless every call got an HTTP 200 (gRPC statuses ride in trailers; pick bodies that succeed).
 */
export function h2load(opts: H2loadOptions & { pid: number }): H2loadResult {
  const before = cpuSeconds(opts.pid);
  const out = execFileSync("taskset", h2loadArgs(opts), { encoding: "utf8" });
  const cpu = cpuSeconds(opts.pid) - before;
  requireEveryCall(out, opts.calls);
  const rate = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out);
  const time = /time for request:\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\b/.exec(out);
  if (!rate || !time) throw new Error(`h2load printed no rate or time:\n${out}`);
  const meanMs = Number(time[1]) * { us: 1e-3, ms: 1, s: 1e3 }[time[2] as "us" | "ms" | "s"];
  return { callsPerSecond: Math.round(Number(rate[1])), cpuMicrosPerCall: round((cpu * 1e6) / opts.calls, 1), meanMs: round(meanMs, 3) };
}

/**
 * Latency percentiles of `calls` calls one at a time from h2load, read from its per-request log
 * (send to the answer's last byte, in us). h2load reads the answer without decoding it, so unlike
 * ghz no client-side protobuf work is in the figure. Asynchronous, so a load the bench itself
 * generates meanwhile keeps running. Milliseconds.
 */
export async function h2loadLatency(opts: Omit<H2loadOptions, "clients" | "streams">): Promise<{ p50: number; p99: number; mean: number }> {
  const log = join(tmpdir(), `h2load-${process.pid}-${Date.now()}.tsv`);
  try {
    const { stdout } = await promisify(execFile)("taskset", h2loadArgs({ ...opts, clients: 1, streams: 1 }, [`--log-file=${log}`]), { encoding: "utf8" });
    requireEveryCall(stdout, opts.calls);
    const micros = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => Number(line.split("\t")[2]))
      .sort((a, b) => a - b);
    const ms = (p: number) => round(percentile(micros, p) / 1e3);
    return { p50: ms(50), p99: ms(99), mean: round(micros.reduce((a, b) => a + b, 0) / micros.length / 1e3) };
  } finally {
    rmSync(log, { force: true });
  }
}

/** The median of several h2load rounds (by CPU per call), after one warm-up round. */
export function h2loadMedian(opts: Parameters<typeof h2load>[0], rounds: number): H2loadResult & { runs: H2loadResult[] } {
  h2load({ ...opts, calls: Math.min(opts.calls, 5_000) });
  const runs = Array.from({ length: rounds }, () => h2load(opts));
  const byCpu = [...runs].sort((a, b) => a.cpuMicrosPerCall - b.cpuMicrosPerCall);
  const mid = byCpu[Math.floor(byCpu.length / 2)]!;
  return { ...mid, runs };
}

/**
 * Latency percentiles of `calls` unary calls from ghz (Go, on core 1), one connection with
 * `concurrency` callers, the call described by server reflection or, for a server without it,
 * by `proto` (a file under proto/). Milliseconds.
 */
export async function ghzLatency(opts: { port: number; call: string; data: unknown; calls: number; concurrency?: number; metadata?: Record<string, string>; rps?: number; proto?: string }): Promise<{ p50: number; p99: number; mean: number; rps: number }> {
  // Asynchronous, so a load the bench itself generates meanwhile (an ingest stream) keeps running.
  const { stdout: out } = await promisify(execFile)(
    "taskset",
    [
      "-c",
      "1",
      requireTool("ghz"),
      "--insecure",
      "--cpus",
      "1",
      "--call",
      opts.call,
      "-d",
      JSON.stringify(opts.data),
      ...(opts.metadata ? ["--metadata", JSON.stringify(opts.metadata)] : []),
      ...(opts.rps ? ["--rps", String(opts.rps)] : []),
      ...(opts.proto ? ["--import-paths", PROTO_DIR, "--proto", opts.proto] : []),
      "-c",
      String(opts.concurrency ?? 1),
      "-n",
      String(opts.calls),
      "-O",
      "json",
      `127.0.0.1:${opts.port}`,
    ],
    { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  const report = JSON.parse(out) as { average: number; rps: number; latencyDistribution: { percentage: number; latency: number }[]; statusCodeDistribution: Record<string, number> };
  const ok = report.statusCodeDistribution.OK ?? 0;
  if (ok !== opts.calls) throw new Error(`ghz: ${ok} of ${opts.calls} calls OK: ${JSON.stringify(report.statusCodeDistribution)}`);
  const at = (p: number) => round((report.latencyDistribution.find((d) => d.percentage === p)?.latency ?? Number.NaN) / 1e6, 3);
  return { p50: at(50), p99: at(99), mean: round(report.average / 1e6, 3), rps: Math.round(report.rps) };
}
