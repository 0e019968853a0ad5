import { describe, expect, it } from "vitest";
import { readNativeBlocks } from "../../../src/backends/clickhouse/native-reader.js";

/** A Native block as ClickHouse's HTTP interface writes it. */
function block(columns: [name: string, type: string, data: Buffer][], rows: number): Buffer {
  const varint = (n: number) => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
    return Buffer.from(out);
  };
  const text = (s: string) => Buffer.concat([varint(Buffer.byteLength(s)), Buffer.from(s)]);
  return Buffer.concat([varint(columns.length), varint(rows), ...columns.flatMap(([n, t, d]) => [text(n), text(t), d])]);
}

async function* inPieces(bytes: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const collect = async (stream: AsyncIterable<Uint8Array>) => {
  const out = [];
  for await (const b of readNativeBlocks(stream)) out.push({ rows: b.rows, columns: Object.fromEntries([...b.columns].map(([k, v]) => [k, Buffer.from(v).toString("hex")])) });
  return out;
};

describe("readNativeBlocks", () => {
  const a = block([["t", "Int64", Buffer.from(new BigInt64Array([1n, 2n, 300n]).buffer)], ["bid", "Float64", Buffer.from(new Float64Array([1.5, 2.5, 3.5]).buffer)]], 3);
  const b = block([["t", "Int64", Buffer.from(new BigInt64Array([400n]).buffer)], ["bid", "Float64", Buffer.from(new Float64Array([4.5]).buffer)]], 1);
  const stream = Buffer.concat([a, b]);

  it("yields each block's columns as the bytes ClickHouse sent, however the stream is cut", async () => {
    const whole = await collect(inPieces(stream, stream.length));
    expect(whole).toHaveLength(2);
    expect(whole[0]!.rows).toBe(3);
    expect(new Float64Array(Uint8Array.from(Buffer.from(whole[0]!.columns.bid!, "hex")).buffer)).toEqual(new Float64Array([1.5, 2.5, 3.5]));
    for (const size of [1, 2, 3, 7, 16, 33]) expect(await collect(inPieces(stream, size))).toEqual(whole);
  });

  it("refuses variable-width columns and a stream that ends inside a block", async () => {
    await expect(collect(inPieces(block([["s", "String", Buffer.from([1, 0x41])]], 1), 4))).rejects.toThrow("not a fixed-width number");
    await expect(collect(inPieces(stream.subarray(0, stream.length - 3), 8))).rejects.toThrow("ended inside a block");
  });
});
