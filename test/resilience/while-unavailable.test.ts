import { describe, expect, it } from "vitest";
import { InvalidArgumentError, UnavailableError } from "../../src/errors.js";
import { whileUnavailable } from "../../src/resilience/while-unavailable.js";

describe("whileUnavailable", () => {
  it("asks again while the answer is UNAVAILABLE, and returns the first success", async () => {
    let calls = 0;
    const value = await whileUnavailable(
      async () => {
        if (++calls < 4) throw new UnavailableError(`busy ${calls}`, 10);
        return "ready";
      },
      { forMs: 5_000, pollMs: 5 },
    );
    expect(value).toBe("ready");
    expect(calls).toBe(4);
  });

  it("ends at once on any other failure", async () => {
    let calls = 0;
    const run = whileUnavailable(
      async () => {
        calls++;
        throw InvalidArgumentError.field("topic", "bad");
      },
      { forMs: 5_000, pollMs: 5 },
    );
    await expect(run).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(calls).toBe(1);
  });

  it("gives up with the last UNAVAILABLE once its time is spent", async () => {
    let calls = 0;
    const run = whileUnavailable(
      async () => {
        throw new UnavailableError(`busy ${++calls}`, 10);
      },
      { forMs: 200, pollMs: 20 },
    );
    await expect(run).rejects.toThrow(new RegExp(`busy \\d+`));
    expect(calls).toBeGreaterThanOrEqual(2);
    await expect(run).rejects.toThrow(`busy ${calls}`);
  });
});
