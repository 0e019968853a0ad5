import { spawn } from "node:child_process";
import { once } from "node:events";
import { create } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WriteTicksRequestSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { connect, TickService, UserService, VectorService } from "../../src/client.js";
import { suiteTickStore } from "../harness/clickhouse.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { one } from "../harness/streams.js";
import { rowsBatch, tick } from "../harness/ticks.js";
import { goToolchain } from "../harness/tools.js";

const ENGINE = new URL("../../clients/go-engine/", import.meta.url).pathname;
const EMAIL = "engine-admin@example.com";
const PASSWORD = "a long enough password";

/** `command` in the engine's folder, with the stack's tool cache on PATH; stdout and stderr lines as they come. */
function inEngine(command: string, args: string[], onLine: (line: string) => void = () => undefined) {
  const cache = `${process.env.NELITI_STACK_CACHE ?? "/var/cache/neliti-stack"}/bin`;
  const proc = spawn(command, args, { cwd: ENGINE, env: { ...process.env, PATH: `${cache}:${process.env.PATH}`, GOFLAGS: "-mod=mod" } });
  const output: string[] = [];
  for (const s of [proc.stdout, proc.stderr]) {
    s.setEncoding("utf8").on("data", (chunk: string) => {
      for (const line of chunk.split("\n").filter(Boolean)) {
        output.push(line);
        onLine(line);
      }
    });
  }
  const done = once(proc, "exit").then(([code]) => ({ code: code as number | null, output }));
  return { proc, done };
}

describe.skipIf(!goToolchain(["go", "protoc", "protoc-gen-go", "protoc-gen-go-grpc"]))("a Go strategy engine built from proto/ with the standard plugins (clients/go-engine)", () => {
  let server: ServerProcess;
  let store: Awaited<ReturnType<typeof suiteTickStore>> | undefined;
  let token: string;
  beforeAll(async () => {
    store = await suiteTickStore();
    server = await startServerProcess({ ...store.env, AUTH_ENABLED: "true", AUTH_JWT_SECRET: "e".repeat(32), BOOTSTRAP_ADMIN_EMAIL: EMAIL, BOOTSTRAP_ADMIN_PASSWORD: PASSWORD });
    token = (await connect(UserService, { baseUrl: server.url }).authenticate({ email: EMAIL, password: PASSWORD })).session!.token;
    // Ten minutes of history, a tick every 20 s: ten M1 bars for the engine's candles and indicators.
    const now = Date.now();
    const history = Array.from({ length: 30 }, (_, i) => tick({ timeMsc: BigInt(now - 600_000 + i * 20_000), bid: 1.1 + i * 1e-4, ask: 1.1002 + i * 1e-4 }));
    await connect(TickService, { baseUrl: server.url, bearerToken: token }).writeTicks(one(create(WriteTicksRequestSchema, { batch: rowsBatch("go-engine-history", history) })));
    const vector = Array.from({ length: 384 }, (_, i) => (i === 0 ? 1 : 0));
    await connect(VectorService, { baseUrl: server.url, bearerToken: token }).upsertObjects({ collection: "TechnicalPattern", objects: [{ id: "0b9f6a52-3d1e-4c61-8a55-1c3c7a1b9e02", vector }] });
  }, 60_000);
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await store?.drop();
  });

  it("generates its stubs, logs in, reads candles and indicators, follows live ticks and bars, and searches vectors", async () => {
    const generated = await inEngine("bash", ["generate.sh"]).done;
    expect(generated.code, generated.output.join("\n")).toBe(0);

    const ticks = connect(TickService, { baseUrl: server.url, bearerToken: token });
    let feeding: NodeJS.Timeout | undefined;
    let n = 0;
    const feed = () => {
      // A live tick every 100 ms once the engine has subscribed, until it exits.
      feeding = setInterval(() => {
        const batch = rowsBatch(`go-engine-live-${n++}`, [tick({ timeMsc: BigInt(Date.now()) })]);
        void ticks.writeTicks(one(create(WriteTicksRequestSchema, { batch }))).catch(() => undefined);
      }, 100);
    };
    const engine = inEngine("go", ["run", ".", "--addr", `127.0.0.1:${server.port}`, "--email", EMAIL, "--password", PASSWORD, "--live-ticks", "5"], (line) => {
      if (line === "subscribed") feed();
    });
    const { code, output } = await engine.done.finally(() => clearInterval(feeding));
    expect(code, output.join("\n")).toBe(0);
    const summary = JSON.parse(output.at(-1)!) as Record<string, unknown>;
    expect(summary).toMatchObject({ engine: "ok", vector_hits: 1 });
    expect(summary.candles).toBeGreaterThanOrEqual(10);
    expect(summary.indicators).toMatchObject({ INDICATOR_TYPE_SMA: expect.any(Number), INDICATOR_TYPE_RSI: expect.any(Number) });
    expect((summary.indicators as Record<string, number>).INDICATOR_TYPE_SMA).toBeGreaterThan(0);
    expect(summary.live_ticks).toBeGreaterThanOrEqual(5);
    expect(summary.live_candles).toBeGreaterThanOrEqual(1);
  }, 240_000);
});
