import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TickBatchSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { encodeColumnarBatch } from "../../src/tick-block/columnar-batch-encoder.js";
import { blockFromBatch, blockFromTicks } from "../../src/tick-block/proto-codec.js";
import { columnsOfBlock } from "../../src/tick-block/column-chunk.js";
import { rowAt } from "../../src/tick-block/tick-block.js";
import { AppendedBlocks, LOG_RECORD_TICKS, logParts, logRecord } from "../../src/tick-log/tick-log.js";
import { series, tick } from "../harness/ticks.js";

const decode = (value: Uint8Array) => {
  const batch = fromBinary(TickBatchSchema, value);
  return { id: batch.batchId, block: blockFromBatch(batch) };
};

describe("tick-log records", () => {
  it("a batch is one columnar record keyed by its first symbol, read back tick for tick", () => {
    const block = blockFromTicks([
      tick({ symbol: "XAUUSD", timeMsc: 1_764_000_000_123n }),
      tick({ symbol: "EURUSD", broker: "Other", timeMsc: 2n ** 32n + 7n }),
      tick({ symbol: "XAUUSD", timeMsc: 2n ** 53n - 1n }),
    ]);
    const parts = logParts("b-1", block);
    expect(parts.map((p) => p.id)).toEqual(["b-1"]);
    const record = logRecord(parts[0]!);
    expect(new TextDecoder().decode(record.key)).toBe("XAUUSD");
    const back = decode(record.value);
    expect(back.id).toBe("b-1");
    expect(new TextDecoder().decode(record.headers[0]!.value)).toBe("b-1");
    expect(Array.from({ length: 3 }, (_, i) => rowAt(back.block, i))).toEqual(Array.from({ length: 3 }, (_, i) => rowAt(block, i)));
  });

  it("a batch over the record size is cut into numbered parts, the same way on every retry", () => {
    const n = 2 * LOG_RECORD_TICKS + 10;
    const block = blockFromTicks(series(n, { symbol: "BIG" }, Date.UTC(2026, 0, 1)));
    const ids = logParts("big", block).map((p) => p.id);
    expect(ids).toEqual(["big#1/3", "big#2/3", "big#3/3"]);
    // Each part is a valid batch under the batch's own id; the record id travels in a header.
    const records = logParts("big", block).map(logRecord);
    expect(records.map((r) => decode(r.value).id)).toEqual(["big", "big", "big"]);
    expect(records.map((r) => new TextDecoder().decode(r.headers.find((h) => h.key === "batch_id")!.value))).toEqual(ids);
    expect(logParts("big", block).map((p) => p.id)).toEqual(ids);
    const back = logParts("big", block).map((p) => decode(logRecord(p).value).block);
    expect(back.map((b) => b.length)).toEqual([LOG_RECORD_TICKS, LOG_RECORD_TICKS, 10]);
    const times = back.flatMap((b) => [...b.timeMsc]);
    expect(times).toEqual([...block.timeMsc]);
  });
});

describe("the columnar batch encoder", () => {
  it("writes the bytes protobuf-es writes for the same TickBatch", () => {
    const blocks = [
      blockFromTicks([tick({ symbol: "XAUUSD", timeMsc: 1_764_000_000_123n })]),
      blockFromTicks([
        tick({ symbol: "EURUSD", broker: "Ünïcode Broker", timeMsc: -5n }),
        tick({ symbol: "GBPUSD", broker: "B", timeMsc: 2n ** 32n + 7n, flags: 2 ** 31 }),
        tick({ symbol: "EURUSD", timeMsc: 2n ** 53n - 1n, bid: 0.5, ask: 0.75, last: 1e-300, volume: 123.25 }),
      ]),
      blockFromTicks(series(3000, { symbol: "LONG" }, Date.UTC(2026, 0, 1))),
    ];
    for (const block of blocks) {
      for (const id of ["b-1", "x".repeat(200)]) {
        const expected = toBinary(TickBatchSchema, create(TickBatchSchema, { batchId: id, payload: { case: "columns", value: columnsOfBlock(block) } }));
        expect(Buffer.from(encodeColumnarBatch(id, block)).equals(Buffer.from(expected))).toBe(true);
      }
    }
  });
});

describe("AppendedBlocks", () => {
  it("hands each block to the writer once, and forgets the oldest past its bound in ticks", () => {
    const blocks = new AppendedBlocks(25);
    const ten = (i: number) => blockFromTicks(series(10, { symbol: `S${i}` }));
    const [a, b, c] = [ten(1), ten(2), ten(3)];
    blocks.put("a", a);
    blocks.put("b", b);
    expect(blocks.take("a")).toBe(a);
    expect(blocks.take("a")).toBeUndefined();
    blocks.put("a", a);
    blocks.put("c", c); // 30 ticks held: the oldest ("b") goes
    expect(blocks.take("b")).toBeUndefined();
    expect(blocks.take("c")).toBe(c);
    expect(blocks.take("a")).toBe(a);
  });
});
