import type { TickBlock } from "../src/ports/tick-block.js";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { PRODUCTION_NODE_ARGS } from "../test/harness/server-process.js";

/** Percentile of a sample (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The middle of a sample (the lower middle for an even count): what a bench quotes over rounds. */
export const median = (xs: readonly number[]): number => percentile([...xs].sort((a, b) => a - b), 50);

export function summarize(samplesMs: number[]): { p50: number; p99: number; max: number; n: number } {
  const s = [...samplesMs].sort((a, b) => a - b);
  return { p50: round(percentile(s, 50)), p99: round(percentile(s, 99)), max: round(s.at(-1) ?? Number.NaN), n: s.length };
}

export const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Samples a process's resident set size every `everyMs`; `stop()` returns the peak in MiB. */
export function rssSampler(pid: number, everyMs = 100): { stop(): number; series: { t: number; mib: number }[] } {
  let peak = 0;
  const series: { t: number; mib: number }[] = [];
  const start = Date.now();
  const sample = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) {
        const mib = Number(m[1]) / 1024;
        peak = Math.max(peak, mib);
        series.push({ t: Date.now() - start, mib: round(mib, 1) });
      }
    } catch {
      // The process ended.
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    series,
    stop: () => {
      clearInterval(timer);
      sample();
      return round(peak, 1);
    },
  };
}

/** The oldest process whose command line matches `pattern` (e.g. a database server of the stack). */
export function pidOf(pattern: string): number | undefined {
  try {
    return Number(execFileSync("pgrep", ["-o", "-f", pattern], { encoding: "utf8" }).trim()) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU microseconds per item that each named process spends while `work` runs: where a path's
 * cost goes when client, service and database share the machine's cores.
 */
export async function cpuPerItem<T>(pids: Record<string, number | undefined>, items: number, work: () => Promise<T>): Promise<{ result: T; cpuMicrosPerItem: Record<string, number> }> {
  const known = Object.entries(pids).filter((e): e is [string, number] => e[1] !== undefined);
  const before = known.map(([, pid]) => cpuSeconds(pid));
  const result = await work();
  const cpuMicrosPerItem = Object.fromEntries(known.map(([name, pid], i) => [name, round(((cpuSeconds(pid) - before[i]!) * 1e6) / items, 2)]));
  return { result, cpuMicrosPerItem };
}

/** "bench 0.35, service 0.5": cpuPerItem's figures for a log line. */
export const cpuText = (cpu: Record<string, number>) =>
  Object.entries(cpu)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function machine(): string {
  return `${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export function argText(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

export function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) {
    process.stderr.write(`${name} is not set: start the stack (scripts/stack.sh up) and eval "$(scripts/stack.sh env)"\n`);
    process.exit(2);
  }
  return v;
}

/** A small seeded PRNG (mulberry32): repeatable data across runs. Returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type DriveResult = { opsPerSecond: number; latencyMs: ReturnType<typeof summarize> };

/** Runs `op` from `concurrency` loops until `total` calls are done; latency per call. */
export async function drive(total: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<DriveResult> {
  const samples: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await op(i);
        samples.push(performance.now() - t);
      }
    }),
  );
  return { opsPerSecond: Math.round(total / ((performance.now() - t0) / 1000)), latencyMs: summarize(samples) };
}

/** A block of one series (account type 2, ask 2 pips over bid, no last price, flags 6). */
export function oneSeriesBlock(symbol: string, timeMsc: Float64Array, bid: Float64Array, volume: Float64Array): TickBlock {
  const n = timeMsc.length;
  return {
    length: n,
    symbols: [symbol],
    symbolIndex: new Uint32Array(n),
    brokers: ["BenchBroker"],
    brokerIndex: new Uint32Array(n),
    accountType: new Uint8Array(n).fill(2),
    timeMsc,
    bid,
    ask: bid.map((b) => b + 0.0002),
    last: new Float64Array(n),
    volume,
    flags: new Uint32Array(n).fill(6),
  };
}

/**
 * A bench's helper server (a script under bench/ that prints its port) in its own process, with the
 * Node flags the service runs with, so a baseline and the service differ only in their code.
 */
export async function benchServer(script: string, args: string[]): Promise<{ pid: number; port: number; stop(): void }> {
  const child: ChildProcess = spawn(process.execPath, [...PRODUCTION_NODE_ARGS, "--import", "tsx", `bench/${script}`, ...args], { cwd: fileURLToPath(new URL("../", import.meta.url)), stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (l) => resolve(Number(l)));
    child.once("exit", (code) => reject(new Error(`${script} ${args.join(" ")} exited with ${code}`)));
  });
  return { pid: child.pid!, port, stop: () => child.kill() };
}
