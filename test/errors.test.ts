import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError, NotFoundError, toConnectError } from "../src/errors.js";

describe("toConnectError", () => {
  it("bounds messages that echo what the caller sent", () => {
    const echoed = toConnectError(new NotFoundError(`no symbol ${"x".repeat(100_000)}`));
    expect(echoed.code).toBe(Code.NotFound);
    expect(echoed.rawMessage.length).toBeLessThan(600);
    expect(echoed.rawMessage).toMatch(/\(100010 characters in all\)$/);
    const fromLibrary = toConnectError(new ConnectError("y".repeat(10_000), Code.NotFound));
    expect(fromLibrary.rawMessage.length).toBeLessThan(600);
    expect(fromLibrary.code).toBe(Code.NotFound);
  });

  it("lists the first 20 field violations and counts the rest", () => {
    const violations = Array.from({ length: 10_000 }, (_, i) => ({ field: `batch.ticks[${i}].bid`, index: i, description: "must be positive" }));
    const err = toConnectError(new InvalidArgumentError(violations));
    expect(err.code).toBe(Code.InvalidArgument);
    const trailer = JSON.parse(err.metadata.get("x-field-violations")!) as { field: string; description: string }[];
    expect(trailer).toHaveLength(21);
    expect(trailer[0]).toMatchObject({ field: "batch.ticks[0].bid", description: "must be positive" });
    expect(trailer[20]!.description).toBe("and 9980 more");
    expect(err.rawMessage).toContain("batch.ticks[0].bid: must be positive");
    expect(err.rawMessage.length).toBeLessThan(600);
  });
});
