import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WriteTicksRequestSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { TickService } from "../../src/client.js";
import { suiteTickStore } from "../harness/clickhouse.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { one } from "../harness/streams.js";
import { rowsBatch, series } from "../harness/ticks.js";

const run = promisify(execFile);
const README = new URL("../../README.md", import.meta.url);

/** The README's plain-HTTP block (after `<!-- ci: http-get -->`), one shell command a line. */
function readmeCommands(): string[] {
  const text = readFileSync(README, "utf8");
  const block = /<!-- ci: http-get -->\s*```sh\n([\s\S]*?)```/.exec(text);
  if (!block) throw new Error("README has no <!-- ci: http-get --> block");
  return block[1]!.replace(/\\\n\s*/g, "").split("\n").filter((line) => line.trim() !== "");
}

describe("plain HTTP GET for read-only RPCs, as the README shows it", () => {
  let server: ServerProcess;
  let store: Awaited<ReturnType<typeof suiteTickStore>> | undefined;
  beforeAll(async () => {
    store = await suiteTickStore();
    server = await startServerProcess({ ...store.env, AUTH_JWT_SECRET: "g".repeat(32), AUTH_ENABLED: "false" });
    // What the README's grpcurl block writes before: EURUSD ticks from ICMarkets, a minute old at most.
    const ticks = createClient(TickService, createGrpcTransport({ baseUrl: server.url }));
    await ticks.writeTicks(one(create(WriteTicksRequestSchema, { batch: rowsBatch("http-get-1", series(20, { symbol: "EURUSD", broker: "ICMarkets" })) })));
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await store?.drop();
  });

  it("answers each curl line of the README with the JSON of its response", async () => {
    const commands = readmeCommands();
    expect(commands.filter((c) => c.startsWith("curl"))).toHaveLength(4);
    // Each curl's answer on a line of its own, against this test's server.
    const script = commands.map((c) => (c.startsWith("curl") ? `${c}; echo` : c)).join("\n").replaceAll("127.0.0.1:50051", `127.0.0.1:${server.port}`);
    const { stdout } = await run("bash", ["-euo", "pipefail", "-c", script], { timeout: 30_000 });
    const [recent, candles, latest, health] = stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect((recent!.ticks as { symbol: string; broker: string }[]).length).toBe(10);
    expect(recent!.ticks).toContainEqual(expect.objectContaining({ symbol: "EURUSD", broker: "ICMarkets" }));
    expect((candles!.candles as unknown[]).length).toBeGreaterThan(0);
    expect(latest).toMatchObject({ found: true, tick: { symbol: "EURUSD", broker: "ICMarkets" } });
    expect(health).toMatchObject({ overall: "BACKEND_STATUS_UP" });
  });

  it("answers GET to a method that changes something with 405, and a read with no message with a Connect error", async () => {
    const status = async (path: string) => (await run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", `${server.url}${path}`])).stdout;
    expect(await status("/neliti.dataplane.v1.CacheService/Set?encoding=json&message=%7B%7D")).toBe("405");
    expect(await status("/neliti.dataplane.v1.TickService/GetRecentTicks?encoding=json&message=%7B%7D")).toBe("400");
  });
});
