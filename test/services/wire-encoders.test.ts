import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { QueryTicksResponseSchema, ReplayTicksResponseSchema } from "../../gen/neliti/dataplane/v1/tick_pb.js";
import { RESPONSE_ENCODERS } from "../../src/services/wire-encoders.js";

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
      expect(Buffer.from(framed.subarray(5)).equals(Buffer.from(toBinary(QueryTicksResponseSchema, message)))).toBe(true);
    }
  });

  it("leave row-wise QueryTicks chunks to toBinary", () => {
    const message = create(QueryTicksResponseSchema, { ticks: [{ symbol: "EURUSD", timeMsc: 1n }] });
    expect(RESPONSE_ENCODERS.get(QueryTicksResponseSchema.typeName)!(message, 5)).toBeUndefined();
  });

  it("write ReplayTicks chunks, with and without columns and resume tokens, as toBinary does", () => {
    const encode = RESPONSE_ENCODERS.get(ReplayTicksResponseSchema.typeName)!;
    for (const c of cases)
      for (const resumeToken of ["", "t:1733000000000:42"]) {
        for (const init of [{ columns: c, resumeToken }, { resumeToken }]) {
          const message = create(ReplayTicksResponseSchema, init);
          const framed = encode(message, 5)!;
          expect(Buffer.from(framed.subarray(5)).equals(Buffer.from(toBinary(ReplayTicksResponseSchema, message)))).toBe(true);
        }
      }
  });
});
