import { fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TickBatchSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { blockFromBatch, blockFromTicks, rowAt } from "../../src/ingest/tick-block.js";
import { LOG_RECORD_TICKS, logParts, logRecord } from "../../src/ingest/tick-log.js";
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
