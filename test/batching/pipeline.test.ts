import { describe, expect, it } from "vitest";
import { pipelined } from "../../src/batching/pipeline.js";

describe("pipelined", () => {
  it("yields results in source order with several calls in flight", async () => {
    let inFlight = 0;
    let most = 0;
    async function* source() {
      for (let i = 0; i < 10; i++) yield i;
    }
    const out: number[] = [];
    for await (const r of pipelined(source(), async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((res) => setTimeout(res, 10 - i));
      inFlight--;
      return i * 2;
    }, 4)) out.push(r);
    expect(out).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(most).toBe(4);
  });

  it("answers each item without waiting for the next one (a client that sends after each ack)", async () => {
    const results: number[] = [];
    let release: (() => void) | undefined;
    async function* source() {
      for (let i = 0; i < 3; i++) {
        yield i;
        // The next item comes only after this one's result was seen.
        await new Promise<void>((r) => (release = r));
      }
    }
    for await (const r of pipelined(source(), async (i) => i, 8)) {
      results.push(r);
      release?.();
    }
    expect(results).toEqual([0, 1, 2]);
  });
});
