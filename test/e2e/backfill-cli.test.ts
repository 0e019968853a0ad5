import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TickService, Timeframe } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { connect } from "../../src/client.js";
import { environmentWithoutBackends, startServerProcess } from "../harness/server-process.js";
import { rowsBatch, tick } from "../harness/ticks.js";
import { ingestOne } from "../harness/replicas.js";

const MINUTE = 60_000;
const ROOT = join(import.meta.dirname, "../..");

/** `npm run backfill` as an operator runs it: the command, against the stores a data directory holds. */
function backfill(args: string[], env: Record<string, string>) {
  const run = spawnSync(process.execPath, ["--import", "tsx", "src/cli/backfill.ts", ...args], { cwd: ROOT, env: { ...environmentWithoutBackends(), LOG_LEVEL: "error", ...env }, encoding: "utf8", timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("the backfill command (embedded stores in a data directory, no service running)", () => {
  it("writes the patterns of history a service stored, which the service then finds; a bad command line exits 2 with usage", async () => {
    const dir = await mkdtemp(join(tmpdir(), "neliti-backfill-"));
    const env = { IN_MEMORY: "false", DATA_DIR: dir };
    try {
      const from = Math.floor(Date.now() / MINUTE) * MINUTE - 120 * MINUTE;
      const first = await startServerProcess(env);
      const bars = Array.from({ length: 100 }, (_, k) => tick({ symbol: "CLI", timeMsc: BigInt(from + k * MINUTE + 1_000), bid: 1.1 + 0.01 * Math.sin(k / 5), ask: 1.2 }));
      expect(await ingestOne(first.url, rowsBatch("cli-history", bars))).toBeDefined();
      await first.stop("SIGTERM");

      const run = backfill(["--series", "CLI:M1", "--from", String(from)], env);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      const last = run.stdout.trim().split("\n").at(-1)!;
      expect(last).toMatch(/^CLI .* chunk (\d+)\/\1 \(100%\) bars 100 patterns 68$/);

      const second = await startServerProcess(env);
      try {
        const found = await connect(TickService, { baseUrl: second.url }).findSimilarPatterns({ symbol: "CLI", timeframe: Timeframe.M1, atTimeMsc: BigInt(from + 100 * MINUTE), k: 5 });
        expect(found.patterns).toHaveLength(5);
        expect(found.patterns.every((p) => p.symbol === "CLI")).toBe(true);
      } finally {
        await second.stop("SIGTERM");
      }

      // Series as PATTERN_SERIES takes them: a timeframe each, symbols as the tick rules allow.
      for (const series of ["CLI", "bad symbol:M1", "CLI:W1"]) {
        const usage = backfill(["--series", series, "--from", String(from)], env);
        expect(usage.status, series).toBe(2);
        expect(usage.stderr).toContain("usage: npm run backfill");
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
