import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { findTool, goToolchain } from "../harness/tools.js";

const run = promisify(execFile);
const MODULE = new URL("../interop/go/", import.meta.url).pathname;

const goBinary = goToolchain(["go"]) ? findTool("go") : undefined;

/** Runs the grpc-go tests matching `pattern` (test/interop/go) against `server`; their verbose output. */
async function goTest(pattern: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await run(goBinary!, ["test", "-count=1", "-v", "-run", pattern, "./..."], {
    cwd: MODULE,
    env: { ...process.env, GOFLAGS: "-mod=mod", ...env },
    timeout: 240_000,
  }).catch((err: { stdout?: string; stderr?: string }) => {
    throw new Error(`go test failed:\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
  });
  return stdout;
}

const passed = (out: string) => [...out.matchAll(/^--- PASS: (\w+)/gm)].map((m) => m[1]);

describe.skipIf(goBinary === undefined)("a grpc-go client (google.golang.org/grpc) against the service's transport", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
  });

  it("meets far and near deadlines, unknown methods and 150 metadata entries as the spec says, on both paths", async () => {
    const out = await goTest("^Test(Check|FarDeadline|CenturyDeadline|ShortDeadline|UnknownMethod|Metadata)", { NELITI_ADDR: `127.0.0.1:${server.port}` });
    expect(passed(out).sort()).toEqual(["TestCenturyDeadlineUnary", "TestCheckAnswersServing", "TestFarDeadlineKeepsStreamOpen", "TestMetadataBySizeNotCount", "TestShortDeadlineEndsStream", "TestUnknownMethodIsUnimplemented"]);
  }, 300_000);

  it("sees its open streams end UNAVAILABLE when the grace is over, and the process gone within grace + 1 s", async () => {
    const grace = 1000;
    const stopping = await startServerProcess({ SHUTDOWN_GRACE_MS: String(grace) });
    try {
      const out = await goTest("^TestShutdownEndsStreamsUnavailable$", { NELITI_ADDR: `127.0.0.1:${stopping.port}`, NELITI_PID: String(stopping.proc.pid), NELITI_GRACE_MS: String(grace) });
      expect(passed(out)).toEqual(["TestShutdownEndsStreamsUnavailable"]);
      const gone = /server gone ([\d.]+)(ms|s) after SIGTERM/.exec(out);
      expect(gone).not.toBeNull();
      expect(await stopping.stop()).toBe(0);
    } finally {
      await stopping.stop("SIGKILL");
    }
  }, 300_000);
});
