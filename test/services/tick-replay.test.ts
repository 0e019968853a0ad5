import { create } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReplayTicksResponse, TickService, WriteTicksRequestSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { tickArrays } from "../../src/client.js";
import { inMemoryApp, type TestApp } from "../harness/app.js";
import { rowsBatch, tick } from "../harness/ticks.js";

async function* from<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

/** The ticks of replay chunks as "time symbol broker bid" lines, in the order received. */
const lines = (chunks: ReplayTicksResponse[], t0: number) =>
  chunks.flatMap((c) => {
    const a = tickArrays(c.columns!);
    return Array.from({ length: a.bid.length }, (_, i) => `${Number(a.timeMsc[i]) - t0} ${a.symbols[a.symbolIndex[i]!]} ${a.brokers[a.brokerIndex[i]!]} ${a.bid[i]}`);
  });

const code = async (p: Promise<unknown>) => ConnectError.from(await p.then(() => undefined, (e: unknown) => e)).code;

describe("TickService replay and as-of (embedded, in-memory transport)", () => {
  let t: TestApp;
  let ticks: Client<typeof TickService>;
  const t0 = Date.now() - 60_000;

  beforeAll(async () => {
    t = await inMemoryApp();
    ticks = t.client(TickService);
    // Two symbols, two brokers, equal times across them: 3 ticks a millisecond for 40 ms.
    const rows = Array.from({ length: 120 }, (_, i) =>
      tick({ symbol: i % 3 === 0 ? "RPB" : "RPA", broker: i % 2 ? "Left" : "Right", timeMsc: BigInt(t0 + Math.floor(i / 3)), bid: 1 + i / 100, ask: 2 + i / 100 }),
    );
    await ticks.writeTicks(from([create(WriteTicksRequestSchema, { batch: rowsBatch("replay-fixture", rows) })]));
  });
  afterAll(async () => t.close());

  const collect = async (req: Parameters<Client<typeof TickService>["replayTicks"]>[0]) => {
    const out: ReplayTicksResponse[] = [];
    for await (const res of ticks.replayTicks(req)) out.push(res);
    return out;
  };
  const request = { symbols: ["RPA", "RPB"], startTimeMsc: BigInt(t0), endTimeMsc: BigInt(t0 + 40), chunkSize: 13 };

  it("merges the series in time order, and a resume after any chunk continues exactly where it stopped", async () => {
    const chunks = await collect(request);
    const all = lines(chunks, t0);
    expect(all).toHaveLength(120);
    const times = all.map((l) => Number(l.split(" ")[0]));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    let sent = 0;
    for (const [i, chunk] of chunks.entries()) {
      sent += chunk.columns!.bid.length / 8;
      if (i === chunks.length - 1) break;
      // Resumed in chunks of another size: the same ticks follow.
      expect(lines(await collect({ ...request, chunkSize: 50, resumeToken: chunk.resumeToken }), t0)).toEqual(all.slice(sent));
    }
  });

  it("paces a replay at a multiple of real time", async () => {
    const started = performance.now();
    const chunks = await collect({ ...request, endTimeMsc: BigInt(t0 + 30), pace: 0.5 });
    // 29 ms of tick time at half speed: about 58 ms of wall time, sent in several pieces.
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    expect(chunks.length).toBeGreaterThan(2);
    expect(lines(chunks, t0)).toHaveLength(90);
  });

  it("answers bad replay requests with INVALID_ARGUMENT, and an unknown symbol with an empty stream", async () => {
    expect(await code(collect({ ...request, endTimeMsc: BigInt(t0) }))).toBe(Code.InvalidArgument);
    expect(await code(collect({ ...request, pace: -1 }))).toBe(Code.InvalidArgument);
    expect(await code(collect({ ...request, pace: Number.NaN }))).toBe(Code.InvalidArgument);
    expect(await code(collect({ ...request, symbols: Array.from({ length: 101 }, (_, i) => `S${i}`) }))).toBe(Code.InvalidArgument);
    expect(await code(collect({ ...request, resumeToken: "not-a-token" }))).toBe(Code.InvalidArgument);
    const [first] = await collect(request);
    expect(await code(collect({ ...request, symbols: ["RPA"], resumeToken: first!.resumeToken }))).toBe(Code.InvalidArgument);
    expect(await collect({ ...request, symbols: ["NOSUCH"] })).toEqual([]);
    // Server-streaming requests are validated like unary ones, before the handler runs.
    const query = async () => {
      for await (const _ of ticks.queryTicks({ symbol: "RPA", startTimeMsc: BigInt(t0 + 10), endTimeMsc: BigInt(t0), columnar: true }));
    };
    expect(await code(query())).toBe(Code.InvalidArgument);
  });

  it("GetTicksAsOf answers the last tick of every series at or before the time", async () => {
    const { ticks: book } = await ticks.getTicksAsOf({ symbols: ["RPB", "RPA", "NOSUCH"], timeMsc: BigInt(t0 + 10) });
    expect(book.map((x) => `${x.symbol} ${x.broker} ${Number(x.timeMsc) - t0}`)).toEqual(["RPA Left 10", "RPA Right 10", "RPB Left 9", "RPB Right 10"]);
    expect((await ticks.getTicksAsOf({ symbols: ["RPA"], broker: "Left", timeMsc: BigInt(t0 - 1) })).ticks).toEqual([]);
    expect(await code(ticks.getTicksAsOf({ symbols: [], timeMsc: BigInt(t0) }))).toBe(Code.InvalidArgument);
    expect(await code(ticks.getTicksAsOf({ symbols: ["RPA", "RPA"], timeMsc: BigInt(t0) }))).toBe(Code.InvalidArgument);
  });
});
