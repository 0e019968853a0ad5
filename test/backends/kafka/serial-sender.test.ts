import { describe, expect, it } from "vitest";
import { type SenderDeadline, SerialSender } from "../../../src/backends/kafka/serial-sender.js";

/** Deadline errors that say which case they are, so the tests can tell them apart. */
const deadline = (ms = 60_000): SenderDeadline => ({
  ms,
  notSent: (reason) => new Error(`not sent: ${reason}`),
  inFlight: () => new Error("in flight"),
});

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
      deadline(),
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
      deadline(),
    );
    const outcomes = await Promise.allSettled([sender.submit([1]), sender.submit([2]), sender.submit([3])]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "rejected"]);
    // [2] and [3] were merged into the failed send; [9] waited behind it and was never sent.
    expect(outcomes.slice(1).map((o) => (o as PromiseRejectedResult).reason.message)).toEqual(["broker said no", "broker said no"]);
    await expect(late).rejects.toThrow("not sent: earlier-send-failed");
    expect(calls).toBe(2);
    expect(await sender.submit([4])).toEqual([4]);
  });

  it("answers each caller by its own deadline: not sent while waiting, in flight once its send began", async () => {
    let release: (() => void) | undefined;
    const sent: number[][] = [];
    const sender = new SerialSender<number, number>(
      async (items) => {
        sent.push(items);
        await new Promise<void>((r) => (release = r));
        return items;
      },
      () => 1,
      100,
      deadline(100),
    );
    const first = sender.submit([1]); // its send starts at once and hangs
    const second = sender.submit([2]); // waits behind it
    await expect(first).rejects.toThrow("in flight");
    await expect(second).rejects.toThrow("not sent: expired");
    expect(sent).toEqual([[1]]);
    // The slow send completes later: its result reaches no one, and the sender goes on.
    release!();
    const third = sender.submit([3]);
    await new Promise((r) => setTimeout(r, 10));
    release!();
    expect(await third).toEqual([3]);
  });
});
