import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

export type ServerProcess = { url: string; port: number; proc: ChildProcess; logs: string[]; stop(signal?: NodeJS.Signals): Promise<number | null> };

const ROOT = new URL("../../", import.meta.url).pathname;

const BACKEND_VARIABLES = ["CLICKHOUSE_URL", "POSTGRES_URL", "ARANGO_URL", "WEAVIATE_URL", "REDIS_URL", "KAFKA_BROKERS"];

/**
 * The Node flags production starts the service with (package.json's start:prod, which the
 * Dockerfile's CMD repeats): tests and benches run the service the same way.
 */
export const PRODUCTION_NODE_ARGS: readonly string[] = (JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { scripts: Record<string, string> }).scripts["start:prod"]!
  .split(" ")
  .filter((word) => word.startsWith("--"));

/** This process's environment without the backend URLs: a child names the backends it uses itself. */
export const environmentWithoutBackends = (): Record<string, string | undefined> => Object.fromEntries(Object.entries(process.env).filter(([k]) => !BACKEND_VARIABLES.includes(k)));

/**
 * Starts the real service (`tsx src/main.ts`; with SERVER_COMPILED=1 the production build,
 * `dist/src/main.js`, which `npm run bench` builds first) on a free port and waits until it has printed its
 * banner and logged "started". Embedded mode unless `env` names backends: the test's own backend URLs are not inherited.
 * `nodeArgs` go to Node before the service's own (a test's heap bound, say); `onSpawn` has the
 * process before it has started (to kill it mid-start); `startMs` bounds the wait (30 s).
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  options: { nodeArgs?: string[]; onSpawn?: (proc: ChildProcess) => void; startMs?: number } = {},
): Promise<ServerProcess> {
  const inherited = environmentWithoutBackends();
  // e.g. SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server under a bench.
  const nodeArgs = [...PRODUCTION_NODE_ARGS, ...(options.nodeArgs ?? []), ...(process.env.SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean)];
  const entry = process.env.SERVER_COMPILED === "1" ? ["dist/src/main.js"] : ["--import", "tsx", "src/main.ts"];
  const proc = spawn(process.execPath, [...nodeArgs, ...entry], {
    cwd: ROOT,
    env: { ...inherited, PORT: "0", HOST: "127.0.0.1", IN_MEMORY: "true", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  options.onSpawn?.(proc);
  const logs: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    // One that has not started in time is killed, not left running under the tests that follow.
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`server did not start:\n${logs.join("\n")}`));
    }, options.startMs ?? 30_000);
    let listening = 0;
    let started = false;
    let banner = false;
    let warming = 0;
    // The banner goes to stderr, logs to stdout: ready once both the banner and "started" arrived,
    // and every store the banner says is opening in the background has logged "store ready"
    // (health is SERVING from then on, as a load balancer would wait for).
    const onLine = (line: string) => {
      logs.push(line);
      const m = /"msg":"listening"/.test(line) ? /"port":(\d+)/.exec(line) : null;
      if (m) listening = Number(m[1]);
      started ||= /"msg":"started"/.test(line);
      if (line.includes("(opening in the background")) warming++;
      if (/"msg":"store ready"/.test(line)) warming--;
      banner ||= line.trimStart().startsWith("Services:");
      if (started && banner && warming <= 0) {
        clearTimeout(timer);
        resolve(listening);
      }
    };
    createInterface({ input: proc.stdout! }).on("line", onLine);
    createInterface({ input: proc.stderr! }).on("line", onLine);
    proc.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${logs.join("\n")}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    proc,
    logs,
    stop: async (signal = "SIGTERM") => {
      // Exited already (on its own, or killed by a signal: then exitCode stays null).
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const [code] = (await once(proc, "exit")) as [number | null];
      return code;
    },
  };
}
