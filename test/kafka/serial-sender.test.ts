import { describe, expect, it } from "vitest";
import { SerialSender } from "../../src/backends/kafka/serial-sender.js";

describe("SerialSender", () => {
  it("keeps one send in flight, merges waiting callers up to the byte cap, and returns each its own results", async () => {
    const sends: number[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const sender = new SerialSender<number, string>(
      async (items) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        sends.push(items);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return items.map((i) => `r${i}`);
      },
      () => 10,
      30,
    );
    const results = await Promise.all([[1], [2, 3], [4], [5, 6, 7, 8], [9]].map((items) => sender.submit(items)));
    expect(results).toEqual([["r1"], ["r2", "r3"], ["r4"], ["r5", "r6", "r7", "r8"], ["r9"]]);
    expect(maxInFlight).toBe(1);
    // The first caller goes alone; then [2,3]+[4] fill the 30-byte cap; [5..8] is over it and goes alone.
    expect(sends).toEqual([[1], [2, 3, 4], [5, 6, 7, 8], [9]]);
  });

  it("fails every caller merged into a failed send, and those waiting behind it, then goes on", async () => {
    let calls = 0;
    let late: Promise<number[]> | undefined;
    const sender = new SerialSender<number, number>(
      async (items) => {
        calls++;
        if (calls === 2) {
          // A caller that arrives while the failing send is in flight.
          late = sender.submit([9]);
          throw new Error("broker said no");
        }
        return items;
      },
      () => 1,
      100,
    );
    const outcomes = await Promise.allSettled([sender.submit([1]), sender.submit([2]), sender.submit([3])]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "rejected"]);
    await expect(late).rejects.toThrow("broker said no");
    expect(calls).toBe(2);
    expect(await sender.submit([4])).toEqual([4]);
  });
});
