import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requiredBackends } from "../harness/backends.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const run = promisify(execFile);

/**
 * The Python with grpcio-tools and numpy that scripts/stack.sh installs (NELITI_PYTHON, from
 * `stack.sh env`); REQUIRE_BACKENDS=python makes its absence a failure, as CI does.
 */
function python(): string | undefined {
  const path = process.env.NELITI_PYTHON;
  if (path && existsSync(path)) return path;
  if (requiredBackends().has("python")) throw new Error("REQUIRE_BACKENDS names python, but NELITI_PYTHON is not set to a Python with test/python/requirements.txt (scripts/stack.sh install tools)");
  return undefined;
}

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
