import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

export type ServerProcess = { url: string; port: number; proc: ChildProcess; logs: string[]; stop(signal?: NodeJS.Signals): Promise<number | null> };

const ROOT = new URL("../../", import.meta.url).pathname;

/** Starts the real service (`tsx src/main.ts`) on a free port and waits for its "listening" log line. */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", IN_MEMORY: "true", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  createInterface({ input: proc.stderr! }).on("line", (l) => logs.push(l));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join("\n")}`)), 30_000);
    createInterface({ input: proc.stdout! }).on("line", (line) => {
      logs.push(line);
      const m = /"msg":"listening"/.test(line) ? /"port":(\d+)/.exec(line) : null;
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${logs.join("\n")}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    proc,
    logs,
    stop: async (signal = "SIGTERM") => {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill(signal);
      const [code] = (await once(proc, "exit")) as [number | null];
      return code;
    },
  };
}
