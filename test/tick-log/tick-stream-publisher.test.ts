import { fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TickBatchSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { EmbeddedStreamLog } from "../../src/backends/embedded/stream-log.js";
import { StreamDomain } from "../../src/domain/stream.js";
import { blockFromTicks } from "../../src/tick-block/proto-codec.js";
import { TICK_TOPIC } from "../../src/config.js";
import { TickStreamPublisher } from "../../src/tick-log/tick-stream.js";
import { createLogger } from "../../src/observability/logger.js";
import { tick } from "../harness/ticks.js";

describe("TickStreamPublisher (embedded stream log)", () => {
  it("publishes one message per symbol that has ticks, none for dictionary entries no tick uses", async () => {
    const log = new EmbeddedStreamLog();
    const stream = new StreamDomain(log, 1 << 20, 1);
    await stream.ensureDefaultTopics();
    const block = blockFromTicks([tick({ symbol: "AAA" }), tick({ symbol: "BBB" }), tick({ symbol: "AAA" })]);
    // A columnar batch may carry a dictionary entry that no tick points at.
    const withUnused = { ...block, symbols: [...block.symbols, "UNUSED"] };
    new TickStreamPublisher(stream, createLogger("silent")).onDurable(withUnused, "b-1", "rpc");

    const ac = new AbortController();
    const sub = await log.subscribe({ topic: TICK_TOPIC, start: { kind: "earliest" }, groupId: undefined, autoCommit: false, maxBatch: 100 }, ac.signal);
    const seen: [string, number][] = [];
    for await (const batch of sub.batches) {
      for (const r of batch) {
        const published = fromBinary(TickBatchSchema, r.value);
        seen.push([new TextDecoder().decode(r.key), published.payload.case === "rows" ? published.payload.value.ticks.length : -1]);
      }
      if (seen.length >= 2) break;
    }
    ac.abort();
    expect(seen.sort()).toEqual([
      ["AAA", 2],
      ["BBB", 1],
    ]);
  });
});
