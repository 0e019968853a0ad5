import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TickColumnsSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { tickColumns } from "../../src/client.js";
import { blockFromColumns, blockFromTicks } from "../../src/tick-block/proto-codec.js";
import { rowAt, selectRows, seriesOf } from "../../src/tick-block/tick-block.js";
import { tick } from "../harness/ticks.js";

describe("TickBlock", () => {
  it("row-wise ticks become dictionaries with per-tick indexes, in order of first appearance", () => {
    const block = blockFromTicks([tick({ symbol: "B", broker: "X" }), tick({ symbol: "A", broker: "X" }), tick({ symbol: "B", broker: "Y" })]);
    expect(block.symbols).toEqual(["B", "A"]);
    expect([...block.symbolIndex]).toEqual([0, 1, 0]);
    expect(block.brokers).toEqual(["X", "Y"]);
    expect([...block.brokerIndex]).toEqual([0, 0, 1]);
    expect([0, 1, 2].map((i) => [rowAt(block, i).symbol, rowAt(block, i).broker])).toEqual([
      ["B", "X"],
      ["A", "X"],
      ["B", "Y"],
    ]);
  });

  it("columnar times are read exactly from int64 little-endian, beyond 2^32 and up to 2^53", () => {
    const times = [1n, 2n ** 32n + 5n, 1_764_000_000_123n, 2n ** 53n - 1n];
    const n = times.length;
    const block = blockFromColumns(
      create(
        TickColumnsSchema,
        tickColumns({
          symbols: ["S"],
          brokers: ["B"],
          symbolIndex: new Uint32Array(n),
          brokerIndex: new Uint32Array(n),
          accountType: new Uint8Array(n).fill(1),
          timeMsc: BigInt64Array.from(times),
          bid: new Float64Array(n).fill(1),
          ask: new Float64Array(n).fill(2),
          last: new Float64Array(n),
          volume: new Float64Array(n),
          flags: new Uint32Array(n),
        }),
      ),
    );
    expect([...block.timeMsc]).toEqual(times.map(Number));
  });

  it("a dictionary that repeats a value still makes one series of it", () => {
    const block = blockFromTicks([tick({ symbol: "A" }), tick({ symbol: "A" })]);
    const repeated = { ...block, symbols: ["A", "A"], symbolIndex: Uint32Array.of(0, 1) };
    const { keys, ofTick } = seriesOf(repeated);
    expect(keys).toEqual([{ symbol: "A", broker: "ICMarkets" }]);
    expect([...ofTick]).toEqual([0, 0]);
  });

  it("selected rows keep their symbols and values", () => {
    const block = blockFromTicks([tick({ symbol: "A", bid: 1 }), tick({ symbol: "B", bid: 2 }), tick({ symbol: "C", bid: 3 })]);
    const picked = selectRows(block, [2, 0]);
    expect([0, 1].map((i) => [rowAt(picked, i).symbol, rowAt(picked, i).bid])).toEqual([
      ["C", 3],
      ["A", 1],
    ]);
  });
});
