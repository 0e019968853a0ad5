import { describe, expect, it } from "vitest";
import { BarUpdateQueue, type BarUpdate } from "../../src/domain/live-bars.js";
import { ResourceExhaustedError } from "../../src/errors.js";

const update = (openTimeMsc: number, closed: boolean): BarUpdate => ({
  symbol: "Q",
  broker: undefined,
  closed,
  bar: { openTimeMsc, open: 1, high: 1, low: 1, close: 1, volume: 0, tickCount: 1 },
});

async function take(queue: BarUpdateQueue, n: number, signal: AbortSignal): Promise<BarUpdate[]> {
  const out: BarUpdate[] = [];
  for await (const u of queue.drain(10, signal)) {
    out.push(u);
    if (out.length === n) break;
  }
  return out;
}

describe("a subscriber's queue of bar updates", () => {
  it("closed bars in order, each once; of a forming bar only its latest state", async () => {
    const queue = new BarUpdateQueue(10, true);
    queue.push(update(0, false));
    queue.push(update(0, false));
    queue.push(update(0, true));
    queue.push(update(60, false));
    queue.push(update(60, false));
    const got = await take(queue, 2, new AbortController().signal);
    expect(got.map((u) => [u.bar.openTimeMsc, u.closed])).toEqual([[0, true], [60, false]]);
  });

  it("without forming bars it keeps only closed ones", async () => {
    const queue = new BarUpdateQueue(10, false);
    queue.push(update(0, false));
    queue.push(update(0, true));
    queue.push(update(60, false));
    queue.push(update(60, true));
    const got = await take(queue, 2, new AbortController().signal);
    expect(got.map((u) => [u.bar.openTimeMsc, u.closed])).toEqual([[0, true], [60, true]]);
  });

  it("a reader more than maxClosed closed bars behind is ended with RESOURCE_EXHAUSTED, never blocking the pusher", async () => {
    const queue = new BarUpdateQueue(3, true);
    for (let i = 0; i < 5; i++) queue.push(update(i * 60, true));
    await expect(take(queue, 10, new AbortController().signal)).rejects.toBeInstanceOf(ResourceExhaustedError);
  });
});
