import { describe, expect, it } from "vitest";
import { envelope, EnvelopeReader } from "../../src/server/envelope.js";

const payloads = [Buffer.from("a"), Buffer.alloc(0), Buffer.alloc(70_000, 7), Buffer.from("last message")];
const wire = Buffer.concat(payloads.map(envelope));

function readAll(chunks: Buffer[]): Buffer[] {
  const reader = new EnvelopeReader(1 << 20);
  const out = chunks.flatMap((c) => reader.push(c));
  reader.end();
  return out;
}

describe("EnvelopeReader", () => {
  it("reads the same messages however the body is cut: whole, one byte at a time, in 16 KiB frames", () => {
    expect(readAll([wire])).toEqual(payloads);
    expect(readAll([...wire].map((b) => Buffer.from([b])))).toEqual(payloads);
    const frames = Array.from({ length: Math.ceil(wire.length / 16_384) }, (_, i) => wire.subarray(i * 16_384, (i + 1) * 16_384));
    expect(readAll(frames)).toEqual(payloads);
  });

  it("a cut at every offset of the body gives the same messages", () => {
    const small = Buffer.concat([Buffer.from("xy"), Buffer.from("z")].map(envelope));
    for (let cut = 0; cut <= small.length; cut++) expect(readAll([small.subarray(0, cut), small.subarray(cut)])).toEqual([Buffer.from("xy"), Buffer.from("z")]);
  });

  it("a body that ends inside a message is a truncated request", () => {
    const reader = new EnvelopeReader(1 << 20);
    reader.push(wire.subarray(0, wire.length - 3));
    expect(() => reader.end()).toThrow(/ended inside a message \(\d+ bytes left over\)/);
  });

  it("refuses a message over the limit from its header, before it arrives", () => {
    const reader = new EnvelopeReader(100);
    expect(() => reader.push(envelope(Buffer.alloc(101)).subarray(0, 5))).toThrow(/larger than the limit of 100/);
  });
});
