import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { python } from "../harness/python.js";
import { suiteTickStore } from "../harness/clickhouse.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const run = promisify(execFile);
const PACKAGE = new URL("../../clients/python/", import.meta.url).pathname;
const EMAIL = "py-admin@example.com";
const PASSWORD = "a long enough password";

const py = python();

describe.skipIf(py === undefined)("the Python client package (clients/python), installed with pip", () => {
  let server: ServerProcess;
  let store: Awaited<ReturnType<typeof suiteTickStore>> | undefined;
  let site: string;
  beforeAll(async () => {
    store = await suiteTickStore();
    server = await startServerProcess({ ...store.env, AUTH_ENABLED: "true", AUTH_JWT_SECRET: "p".repeat(32), BOOTSTRAP_ADMIN_EMAIL: EMAIL, BOOTSTRAP_ADMIN_PASSWORD: PASSWORD });
    site = mkdtempSync(join(tmpdir(), "neliti-py-"));
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await store?.drop();
    if (site) rmSync(site, { recursive: true, force: true });
  });

  it("has stubs generated from today's proto/", async () => {
    const { stderr } = await run("bash", [`${PACKAGE}generate.sh`, "check"], { env: { ...process.env, PYTHON: py! } }).catch((err: { stderr: string }) => ({ stderr: err.stderr, failed: true }));
    expect(stderr).toBe("");
  }, 60_000);

  it("installs with one pip command and passes its own tests against the server (sync, asyncio, auth, numpy and pandas, the MT5 bridge's batching)", async () => {
    // Into a folder of its own (not the shared venv), from the repository's folder as a user would.
    await run(py!, ["-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", "--no-build-isolation", "--target", site, PACKAGE], { timeout: 120_000 });
    const { stdout } = await run(py!, ["-m", "pytest", "-q", "-p", "no:cacheprovider", `${PACKAGE}tests`], {
      cwd: site,
      env: { ...process.env, PYTHONPATH: site, NELITI_ADDR: `127.0.0.1:${server.port}`, NELITI_EMAIL: EMAIL, NELITI_PASSWORD: PASSWORD },
      timeout: 180_000,
    }).catch((err: { stdout: string; stderr: string }) => {
      throw new Error(`pytest failed:\n${err.stdout}\n${err.stderr}`);
    });
    expect(stdout).toMatch(/\b13 passed\b/);
    expect(stdout).not.toMatch(/failed|skipped|error/);
  }, 300_000);
});
