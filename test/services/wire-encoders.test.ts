import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { GetRecentTicksResponseSchema, QueryTicksResponseSchema, ReplayTicksResponseSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { PublishResponseSchema } from "../../gen/neliti/dataplane/v1/stream_pb.js";
import { RESPONSE_ENCODERS } from "../../src/services/wire-encoders.js";

/** An encoder's message after the envelope's 5 bytes, from one buffer or its parts. */
const payload = (framed: Uint8Array | Uint8Array[]) => Buffer.concat(Array.isArray(framed) ? framed : [framed]).subarray(5);

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

/** Columns of `n` ticks in their wire widths; sizes chosen so that some lengths need 3-byte varints. */
const columns = (n: number, symbols: string[], brokers: string[]) => ({
  symbols,
  brokers,
  symbolIndex: bytes(4 * n, 1),
  brokerIndex: bytes(4 * n, 2),
  accountType: bytes(n, 3),
  timeMsc: bytes(8 * n, 4),
  bid: bytes(8 * n, 5),
  ask: bytes(8 * n, 6),
  last: bytes(8 * n, 7),
  volume: bytes(8 * n, 8),
  flags: bytes(4 * n, 9),
});

describe("hand-written response encoders", () => {
  const cases = [
    columns(0, [], []),
    columns(1, ["EURUSD"], ["ICM"]),
    columns(17, ["", "US30.cash", "ÉÜ€"], ["b"]),
    columns(20_000, ["XAUUSD", "GBPUSD"], ["ICM", "Pepperstone"]),
  ];

  it("write QueryTicks chunks byte for byte as toBinary does, after the envelope's 5 bytes", () => {
    const encode = RESPONSE_ENCODERS.get(QueryTicksResponseSchema.typeName)!;
    for (const c of [...cases.map((x) => ({ columns: x })), {}]) {
      const message = create(QueryTicksResponseSchema, c);
      const framed = encode(message, 5)!;
      expect(payload(framed).equals(Buffer.from(toBinary(QueryTicksResponseSchema, message)))).toBe(true);
    }
  });

  it("leave a chunk's large columns where they lie, and copy only the small ones", () => {
    const c = columns(20_000, ["XAUUSD"], ["ICM"]);
    const framed = RESPONSE_ENCODERS.get(QueryTicksResponseSchema.typeName)!(create(QueryTicksResponseSchema, { columns: c }), 5)!;
    expect(Array.isArray(framed)).toBe(true);
    const parts = framed as Uint8Array[];
    // 8 x 20,000 and 4 x 20,000 bytes are over the 64 KiB mark; 1 x 20,000 (account types) is not.
    for (const column of [c.timeMsc, c.bid, c.ask, c.last, c.volume, c.symbolIndex, c.brokerIndex, c.flags]) expect(parts).toContain(column);
    expect(parts).not.toContain(c.accountType);
  });

  /** Ticks with every field at its default, at its extremes and in between. */
  const tickLists = [
    [],
    [{}],
    [{ symbol: "EURUSD", broker: "ICMarkets", accountType: 2, timeMsc: 1_733_000_000_123n, bid: 1.0842, ask: 1.08423, last: 0, volume: 1.5, flags: 6 }],
    [
      { symbol: "ÉÜ€", broker: "b".repeat(200), accountType: 1, timeMsc: 1n, bid: -0, ask: Number.NaN, last: Number.POSITIVE_INFINITY, volume: Number.MIN_VALUE, flags: 0xffffffff },
      { symbol: "US30.cash", accountType: -1, timeMsc: -5n, bid: 1e308, flags: 128 },
      { timeMsc: 2n ** 63n - 1n, ask: -1.5, flags: 127 },
      { timeMsc: 2n ** 35n, volume: 1, flags: 2 ** 21 },
    ],
    Array.from({ length: 300 }, (_, i) => ({ symbol: i % 2 ? "XAUUSD" : "GBPUSD", broker: "ICM", accountType: 2, timeMsc: 1_733_000_000_000n + BigInt(i), bid: 1 + i / 7, ask: 1 + i / 6, volume: i, flags: i })),
  ];

  it("write lists of row-wise ticks (GetRecentTicks, row-wise QueryTicks chunks) as toBinary does", () => {
    for (const schema of [GetRecentTicksResponseSchema, QueryTicksResponseSchema]) {
      const encode = RESPONSE_ENCODERS.get(schema.typeName)!;
      for (const ticks of tickLists) {
        const message = create(schema, { ticks });
        const framed = encode(message, 5)!;
        expect(payload(framed).equals(Buffer.from(toBinary(schema, message)))).toBe(true);
      }
    }
  });

  it("write ReplayTicks chunks, with and without columns and resume tokens, as toBinary does", () => {
    const encode = RESPONSE_ENCODERS.get(ReplayTicksResponseSchema.typeName)!;
    for (const c of cases)
      for (const resumeToken of ["", "t:1733000000000:42"]) {
        for (const init of [{ columns: c, resumeToken }, { resumeToken }]) {
          const message = create(ReplayTicksResponseSchema, init);
          const framed = encode(message, 5)!;
          expect(payload(framed).equals(Buffer.from(toBinary(ReplayTicksResponseSchema, message)))).toBe(true);
        }
      }
  });

  it("write Publish answers, every partition and offset width included, as toBinary does", () => {
    const encode = RESPONSE_ENCODERS.get(PublishResponseSchema.typeName)!;
    const edges = [
      { partition: 0, offset: 0n },
      { partition: 5, offset: 1n },
      { partition: 127, offset: 128n },
      { partition: 128, offset: 2n ** 31n },
      { partition: 2 ** 31 - 1, offset: 2n ** 53n - 1n },
      { partition: -1, offset: 2n ** 53n },
      { partition: -(2 ** 31), offset: 2n ** 63n - 1n },
      { partition: 3, offset: -1n },
    ];
    const many = Array.from({ length: 10_000 }, (_, i) => ({ partition: i % 12, offset: 1_000_000_000n + BigInt(i) }));
    for (const results of [[], edges, many]) {
      const message = create(PublishResponseSchema, { results });
      const framed = encode(message, 5)!;
      expect(payload(framed).equals(Buffer.from(toBinary(PublishResponseSchema, message)))).toBe(true);
    }
  });
});
