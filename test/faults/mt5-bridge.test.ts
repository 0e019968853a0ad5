import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createClient } from "@clickhouse/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendUrl } from "../harness/backends.js";
import { createTempClickHouseDatabase } from "../harness/clickhouse.js";
import { python } from "../harness/python.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const run = promisify(execFile);
const PACKAGE = new URL("../../clients/python/", import.meta.url).pathname;
const SYMBOLS = ["EURUSD", "GBPUSD"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const clickhouse = backendUrl("clickhouse");
const py = python();

/** A free TCP port: the service restarts on the same one, as a bridge configured with one address expects. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * The reference MT5 bridge (clients/python, neliti_dataplane.mt5_bridge) against the stand-in
 * terminal (mt5_standin.py) and the real stack: the bridge killed -9 and restarted mid-stream,
 * the terminal disconnected for a while, the service restarted, with ticks arriving throughout.
 * ClickHouse must then hold every tick the terminal had, once.
 */
describe.skipIf(clickhouse === undefined || py === undefined)("the MT5 bridge drill: bridge killed, terminal dropped, service restarted", () => {
  let db: { url: string; drop(): Promise<void> };
  let terminal: string;
  let server: ServerProcess | undefined;
  let bridge: ChildProcess | undefined;
  let port: number;
  const bridgeLog: string[] = [];
  const env = () => ({ CLICKHOUSE_URL: db.url, AUTH_JWT_SECRET: "m".repeat(32), AUTH_ENABLED: "false", PORT: String(port), SHUTDOWN_GRACE_MS: "1000" });
  const t0 = Date.now() - 180_000;
  let fed = 0;

  const feed = async (n: number, seed: number) => {
    for (const [i, symbol] of SYMBOLS.entries()) await run(py!, [join(PACKAGE, "tests/mt5_feed.py"), terminal, symbol, String(n), String(t0), String(seed * 10 + i)], { cwd: join(PACKAGE, "tests") });
    fed += n * SYMBOLS.length;
  };
  const startBridge = () => {
    bridge = spawn(py!, ["-m", "neliti_dataplane.mt5_bridge", "--server", `127.0.0.1:${port}`, "--symbols", SYMBOLS.join(","), "--broker", "Drill-Demo", "--account-type", "demo", "--state", join(terminal, "state.json"), "--since", String(t0), "--bucket-ms", "250", "--settle-ms", "300", "--mt5-module", "mt5_standin"], {
      env: { ...process.env, PYTHONPATH: `${join(PACKAGE, "src")}:${join(PACKAGE, "tests")}`, MT5_STANDIN_DIR: terminal },
      stdio: ["ignore", "ignore", "pipe"],
    });
    bridge.stderr!.setEncoding("utf8").on("data", (chunk: string) => bridgeLog.push(...chunk.split("\n").filter(Boolean)));
  };
  /** The bridge's acknowledged cursors: [time_msc, ticks of that millisecond included], by symbol. */
  const cursors = (): Record<string, [number, number]> => (existsSync(join(terminal, "state.json")) ? (JSON.parse(readFileSync(join(terminal, "state.json"), "utf8")) as { cursors: Record<string, [number, number]> }).cursors : {});
  /** The terminal's newest tick time and how many ticks share it, by symbol. */
  const newest = async (): Promise<Record<string, [number, number]>> => {
    const code = `import numpy as np, json; t = {s: np.load(f"${terminal}/{s}.npy")["time_msc"] for s in ${JSON.stringify(SYMBOLS)}}; print(json.dumps({s: [int(v[-1]), int((v == v[-1]).sum())] for s, v in t.items()}))`;
    return JSON.parse((await run(py!, ["-c", code])).stdout) as Record<string, [number, number]>;
  };
  /** Until the bridge's acknowledged cursors reach the terminal's newest ticks, every tick of their millisecond included. */
  const caughtUp = async (timeoutMs: number) => {
    const want = await newest();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const got = cursors();
      if (SYMBOLS.every((s) => got[s] !== undefined && (got[s]![0] > want[s]![0] || (got[s]![0] === want[s]![0] && got[s]![1] >= want[s]![1])))) return;
      await sleep(200);
    }
    throw new Error(`the bridge did not catch up: cursors ${JSON.stringify(cursors())}, terminal ${JSON.stringify(want)}\n${bridgeLog.slice(-20).join("\n")}`);
  };

  beforeAll(async () => {
    db = await createTempClickHouseDatabase(clickhouse!);
    terminal = mkdtempSync(join(tmpdir(), "neliti-mt5-"));
    port = await freePort();
    server = await startServerProcess(env());
  }, 60_000);
  afterAll(async () => {
    bridge?.kill("SIGKILL");
    await server?.stop("SIGKILL");
    await db?.drop();
    rmSync(terminal, { recursive: true, force: true });
  });

  it("stores every tick the terminal had exactly once", async () => {
    await feed(400, 1);
    startBridge();
    await sleep(1500);
    // 1. The bridge killed -9 mid-stream (acks in flight), more ticks meanwhile, then restarted.
    bridge!.kill("SIGKILL");
    await once(bridge!, "exit");
    await feed(300, 2);
    startBridge();
    await caughtUp(60_000);
    // 2. The terminal disconnected while ticks arrive, then back.
    writeFileSync(join(terminal, "disconnected"), "");
    await feed(300, 3);
    await sleep(1500);
    rmSync(join(terminal, "disconnected"));
    await caughtUp(60_000);
    // 3. The service restarted on its port while ticks arrive.
    await server!.stop("SIGTERM");
    await feed(300, 4);
    await sleep(1000);
    server = await startServerProcess(env());
    await feed(200, 5);
    await caughtUp(60_000);

    const events = bridgeLog.map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events).toContain("terminal_lost");
    expect(events).toContain("service_unavailable");
    expect(events).not.toContain("rejected");

    const ch = createClient({ url: db.url });
    try {
      const [row] = await (
        await ch.query({ query: "SELECT count() AS n, uniqExact(symbol, ts, bid) AS distinct_ticks, countIf(broker != 'Drill-Demo') AS wrong FROM ticks", format: "JSONEachRow" })
      ).json<{ n: string; distinct_ticks: string; wrong: string }>();
      expect({ rows: Number(row!.n), distinct: Number(row!.distinct_ticks), wrongBroker: Number(row!.wrong) }).toEqual({ rows: fed, distinct: fed, wrongBroker: 0 });
    } finally {
      await ch.close();
    }
  }, 300_000);
});
