import http2 from "node:http2";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { WriteTicksRequestSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { CacheService, TickService, tickArrays } from "../../src/client.js";
import { startServerProcess, type ServerProcess } from "../harness/server-process.js";
import { grpcFrame } from "../harness/frames.js";
import { one } from "../harness/streams.js";
import { httpGet } from "../harness/tools.js";
import { rowsBatch, series } from "../harness/ticks.js";

/**
 * The gRPC binary protocol is served by the service's own transport (src/server/grpc-transport.ts),
 * gRPC-Web and Connect by connect-node, on one port. These hold the two to the same answers.
 */
describe("the gRPC transport and the gRPC-Web/Connect path", () => {
  let server: ServerProcess;
  let transports: Record<string, Transport>;

  beforeAll(async () => {
    server = await startServerProcess({ MAX_MESSAGE_BYTES: String(1024 * 1024) });
    transports = {
      grpc: createGrpcTransport({ baseUrl: server.url }),
      "grpc-web": createGrpcWebTransport({ baseUrl: server.url, httpVersion: "2" }),
      connect: createConnectTransport({ baseUrl: server.url, httpVersion: "2" }),
    };
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
  });

  /** What a call ended with, as a caller sees it: the message, or the code, message and metadata the caller can act on. */
  const outcome = async (call: () => Promise<unknown>) => {
    try {
      return { ok: await call() };
    } catch (err) {
      const e = ConnectError.from(err);
      return { code: Code[e.code], message: e.rawMessage, violations: e.metadata.get("x-field-violations"), retryAfter: e.metadata.get("retry-after-ms") };
    }
  };

  /** The same call over every protocol; the outcomes, by protocol. */
  const everyProtocol = async (call: (t: Transport, protocol: string) => Promise<unknown>) => {
    const out: Record<string, unknown> = {};
    for (const [name, t] of Object.entries(transports)) out[name] = await outcome(() => call(t, name));
    return out;
  };

  const expectSame = (outcomes: Record<string, unknown>) => {
    expect(outcomes["grpc-web"]).toEqual(outcomes.grpc);
    expect(outcomes.connect).toEqual(outcomes.grpc);
  };

  it("gives the same answers to unary calls, and the same codes, messages and field violations to refused ones", async () => {
    const ok = await everyProtocol(async (t) => {
      const cache = createClient(CacheService, t);
      await cache.set({ key: "parity", value: new TextEncoder().encode("v") });
      return (await cache.get({ key: "parity" })).value;
    });
    expect(ok.grpc).toEqual({ ok: new TextEncoder().encode("v") });
    expectSame(ok);

    const many = await everyProtocol(async (t) => (await createClient(CacheService, t).mGet({ keys: ["parity", "absent", "parity"] })).results.map((r) => ({ key: r.key, found: r.found, value: [...r.value] })));
    expect(many.grpc).toEqual({ ok: [{ key: "parity", found: true, value: [118] }, { key: "absent", found: false, value: [] }, { key: "parity", found: true, value: [118] }] });
    expectSame(many);

    const notFound = await everyProtocol((t) => createClient(Health, t).check({ service: "no.such.Service" }));
    expect(notFound.grpc).toMatchObject({ code: "NotFound" });
    expectSame(notFound);

    const invalid = await everyProtocol((t) => createClient(CacheService, t).get({ key: "" }));
    expect(invalid.grpc).toMatchObject({ code: "InvalidArgument" });
    expect(JSON.parse((invalid.grpc as { violations: string }).violations)).toContainEqual(expect.objectContaining({ field: "key", description: "must be at least 1 characters" }));
    expectSame(invalid);

    const tooBig = await everyProtocol((t) => createClient(CacheService, t).set({ key: "big", value: new Uint8Array(2 * 1024 * 1024) }));
    for (const o of Object.values(tooBig)) expect(o).toMatchObject({ code: "ResourceExhausted" });
  });

  it("gives the same answers to client-streaming and server-streaming calls", async () => {
    const t0 = Date.now() - 60_000;
    const written = await everyProtocol(async (t, protocol) => {
      const ticks = createClient(TickService, t);
      const symbol = `PARITY-${protocol.toUpperCase()}`;
      const summary = await ticks.writeTicks(one(create(WriteTicksRequestSchema, { batch: rowsBatch(`parity-${symbol}`, series(50, { symbol }, t0 + 49)) })));
      const rows: number[] = [];
      for await (const chunk of ticks.queryTicks({ symbol, startTimeMsc: BigInt(t0), endTimeMsc: BigInt(t0 + 1000), chunkSize: 7 })) rows.push(...chunk.ticks.map((x) => Number(x.timeMsc) - t0));
      return { durable: summary.durableTicks, rows };
    });
    expect(written.grpc).toEqual({ ok: { durable: 50n, rows: Array.from({ length: 50 }, (_, i) => i) } });
    expectSame(written);

    const badRange = await everyProtocol(async (t) => {
      for await (const _ of createClient(TickService, t).queryTicks({ symbol: "X", startTimeMsc: 10n, endTimeMsc: 5n })) void _;
    });
    expect(badRange.grpc).toMatchObject({ code: "InvalidArgument" });
    expectSame(badRange);
  });

  it("gives the same columnar chunks and replay resume tokens (the hand-written encoders) as connect-node", async () => {
    const t0 = Date.now() - 120_000;
    const symbol = "PARITY-COLUMNS";
    const ticks = createClient(TickService, transports.grpc!);
    await ticks.writeTicks(one(create(WriteTicksRequestSchema, { batch: rowsBatch(`parity-${symbol}`, series(40, { symbol }, t0 + 39)) })));
    const read = await everyProtocol(async (t) => {
      const client = createClient(TickService, t);
      const chunks: { symbols: string[]; times: number[]; bids: number[] }[] = [];
      for await (const chunk of client.queryTicks({ symbol, startTimeMsc: BigInt(t0), endTimeMsc: BigInt(t0 + 1000), chunkSize: 7, columnar: true })) {
        const a = tickArrays(chunk.columns!);
        chunks.push({ symbols: a.symbols, times: [...a.timeMsc].map((x) => Number(x) - t0), bids: [...a.bid] });
      }
      const replay: { ticks: number; resumeToken: string }[] = [];
      for await (const chunk of client.replayTicks({ symbols: [symbol], startTimeMsc: BigInt(t0), endTimeMsc: BigInt(t0 + 1000), chunkSize: 9 })) {
        replay.push({ ticks: chunk.columns ? tickArrays(chunk.columns).bid.length : 0, resumeToken: chunk.resumeToken });
      }
      return { chunks, replay };
    });
    const ok = (read.grpc as { ok: { chunks: { times: number[] }[]; replay: { ticks: number; resumeToken: string }[] } }).ok;
    expect(ok.chunks.flatMap((c) => c.times)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(ok.replay.reduce((n, c) => n + c.ticks, 0)).toBe(40);
    expect(ok.replay.every((c) => c.resumeToken !== "")).toBe(true);
    expectSame(read);
  });

  it("gives the same large columnar chunks (columns written from where they lie) as connect-node", async () => {
    const n = 25_000;
    const t0 = Date.now() - 600_000;
    const symbol = "PARITY-LARGE";
    const ticks = createClient(TickService, transports.grpc!);
    const all = series(n, { symbol }, t0 + n - 1);
    for (let i = 0; i < n; i += 5_000) await ticks.writeTicks(one(create(WriteTicksRequestSchema, { batch: rowsBatch(`parity-${symbol}-${i}`, all.slice(i, i + 5_000)) })));
    const read = await everyProtocol(async (t) => {
      const sizes: number[] = [];
      let sum = 0;
      let ordered = true;
      let previous = -1;
      // 10,000 ticks make 80 KB time and price columns, above the encoder's 64 KiB mark.
      for await (const chunk of createClient(TickService, t).queryTicks({ symbol, startTimeMsc: BigInt(t0), endTimeMsc: BigInt(t0 + n), chunkSize: 10_000, columnar: true })) {
        const a = tickArrays(chunk.columns!);
        sizes.push(a.bid.length);
        for (let i = 0; i < a.bid.length; i++) {
          const at = Number(a.timeMsc[i]) - t0;
          ordered &&= at === previous + 1 && a.bid[i] === 1.1 + at * 1e-5;
          previous = at;
          sum += at;
        }
      }
      return { sizes, sum, ordered };
    });
    expect((read.grpc as { ok: unknown }).ok).toEqual({ sizes: [10_000, 10_000, 5_000], sum: (n * (n - 1)) / 2, ordered: true });
    expectSame(read);
  });

  it("ends a call past its deadline with DEADLINE_EXCEEDED, and a server stream the client cancels, on the gRPC transport", async () => {
    const ticks = createClient(TickService, transports.grpc!);
    const started = performance.now();
    const late = await outcome(async () => {
      for await (const _ of ticks.subscribeTicks({ symbols: ["NOTHING"] }, { timeoutMs: 300 })) void _;
    });
    expect(late).toMatchObject({ code: "DeadlineExceeded" });
    expect(performance.now() - started).toBeLessThan(3000);

    const controller = new AbortController();
    const stream = ticks.subscribeTicks({ symbols: ["NOTHING"] }, { signal: controller.signal });
    const reading = outcome(async () => {
      for await (const _ of stream) void _;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(await inflightStreams(server.url, "SubscribeTicks")).toBe(1);
    controller.abort();
    expect(await reading).toMatchObject({ code: "Canceled" });
    await expect.poll(() => inflightStreams(server.url, "SubscribeTicks"), { timeout: 5000 }).toBe(0);

    // A client whose connection goes before its stream ends (ghz leaving a reflection stream does
    // this): a cancel, not an internal error.
    const session = http2.connect(server.url);
    const req = session.request({ ":method": "POST", ":path": "/neliti.dataplane.v1.TickService/WriteTicks", "content-type": "application/grpc", te: "trailers" });
    req.on("error", () => undefined);
    req.write(grpcFrame(0, 100, [1, 2, 3]));
    await new Promise((r) => setTimeout(r, 200));
    session.destroy();
    await expect.poll(() => requests(server.url, "WriteTicks", "canceled"), { timeout: 5000 }).toBe(1);
    expect(await requests(server.url, "WriteTicks", "internal")).toBe(0);
  });

  it("refuses malformed gRPC frames with the codes gRPC specifies, oversized ones with RESOURCE_EXHAUSTED, an unknown method with UNIMPLEMENTED", async () => {
    const session = http2.connect(server.url);
    try {
      const status = (path: string, body: Uint8Array, extra: http2.OutgoingHttpHeaders = {}) =>
        new Promise<string | undefined>((resolve, reject) => {
          const req = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...extra });
          let got: string | undefined;
          req.on("response", (h) => (got = h["grpc-status"] as string | undefined));
          req.on("trailers", (t) => (got = t["grpc-status"] as string | undefined));
          req.on("data", () => undefined);
          req.on("end", () => resolve(got));
          req.on("error", reject);
          req.end(body);
        });
      const check = "/grpc.health.v1.Health/Check";
      expect(await status(check, Uint8Array.of(0, 0, 0))).toBe(String(Code.InvalidArgument)); // truncated envelope
      expect(await status(check, grpcFrame(0, 10, [1, 2]))).toBe(String(Code.InvalidArgument)); // shorter than its length
      expect(await status(check, grpcFrame(1, 2, [1, 2]))).toBe(String(Code.InvalidArgument)); // compressed, no encoding (see test/conformance/known-failing.txt)
      expect(await status(check, grpcFrame(0, 2, [0xff, 0xff]))).toBe(String(Code.InvalidArgument)); // not a message
      expect(await status(check, new Uint8Array(0))).toBe(String(Code.Unimplemented)); // no message: a cardinality violation
      expect(await status(check, Uint8Array.of(...grpcFrame(0, 0, []), ...grpcFrame(0, 0, [])))).toBe(String(Code.Unimplemented)); // two messages, likewise
      expect(await status(check, grpcFrame(0, 0x7fffffff, [1]))).toBe(String(Code.ResourceExhausted));
      expect(await status(check, grpcFrame(0, 0, []), { "grpc-timeout": "soon" })).toBe(String(Code.InvalidArgument));
      expect(await status("/grpc.health.v1.Health/Nope", grpcFrame(0, 0, []))).toBe(String(Code.Unimplemented));
      expect(await status(check, grpcFrame(0, 0, []))).toBe("0");
    } finally {
      session.close();
    }
  });
});

async function requests(url: string, method: string, code: string): Promise<number> {
  const text = (await httpGet(url, "/metrics")).body;
  const line = text.split("\n").find((l) => l.startsWith("neliti_rpc_requests_total{") && l.includes(`method="${method}"`) && l.includes(`code="${code}"`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

async function inflightStreams(url: string, method: string): Promise<number> {
  const text = (await httpGet(url, "/metrics")).body;
  const line = text.split("\n").find((l) => l.startsWith("neliti_rpc_inflight_streams{") && l.includes(`method="${method}"`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}
