import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { python } from "../harness/python.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const run = promisify(execFile);

const py = python();

describe.skipIf(py === undefined)("a Python client from a clone alone (grpcio-tools stubs from proto/, numpy columns)", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("generates stubs, ingests a numpy columnar batch, reads it back exact and calls every service", async () => {
    const { stdout } = await run(py!, ["test/python/client_check.py", `127.0.0.1:${server.port}`], { timeout: 90_000 });
    const summary = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(summary).toMatchObject({ python_client: "ok", ticks_round_trip: 2000, ticks_columnar_round_trip: 2000, cache: "set+get", graph: "upsert+get", stream: "publish" });
    expect(summary.user).toMatch(/^[0-9a-f-]{36}$/);
  }, 120_000);
});
