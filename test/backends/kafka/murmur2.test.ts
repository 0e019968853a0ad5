import { randomBytes } from "node:crypto";
import { murmur2 as libraryMurmur2 } from "@platformatic/kafka";
import { describe, expect, it } from "vitest";
import { murmur2, partitionOfKey } from "../../../src/backends/kafka/murmur2.js";

describe("murmur2", () => {
  it("matches the Java client's hash on its own test vectors", () => {
    // From Kafka's UtilsTest (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java).
    expect(murmur2(Buffer.from("21"))).toBe(-973932308);
    expect(murmur2(Buffer.from("foobar"))).toBe(-790332482);
    expect(murmur2(Buffer.from("a-little-bit-long-string"))).toBe(-985981536);
    expect(murmur2(Buffer.from("a-little-bit-longer-string"))).toBe(-1486304829);
    expect(murmur2(Buffer.from("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"))).toBe(-58897971);
    expect(murmur2(Uint8Array.of(0x61, 0x62, 0x63))).toBe(479470107);
  });

  it("gives the client library's hash for every key length and content", () => {
    for (let n = 0; n < 5000; n++) {
      const key = randomBytes(n % 67);
      expect(murmur2(key), key.toString("hex")).toBe(libraryMurmur2(key));
    }
  });

  it("places a key as the Java client does: positive hash modulo the partition count", () => {
    const key = Buffer.from("EURUSD");
    const expected = (libraryMurmur2(key) & 0x7fffffff) % 12;
    expect(partitionOfKey(key, 12)).toBe(expected);
    // A view into a larger buffer hashes only its own bytes.
    const within = Buffer.concat([Buffer.from("xx"), key, Buffer.from("yy")]).subarray(2, 8);
    expect(partitionOfKey(within, 12)).toBe(expected);
  });
});
