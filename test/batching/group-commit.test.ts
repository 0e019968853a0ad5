import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../src/batching/group-commit.js";

/** A flush whose completion the test decides; records what each flush carried. */
function controlledFlush() {
  const flushes: { entries: string[]; finish(): void }[] = [];
  const flush = (entries: string[]) =>
    new Promise<string[]>((resolve) => {
      flushes.push({ entries, finish: () => resolve(entries.map((e) => `ok:${e}`)) });
    });
  return { flushes, flush };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("GroupCommit", () => {
  it("a lone entry goes out after the delay, and its caller gets its own result", async () => {
    const { flushes, flush } = controlledFlush();
    const gc = new GroupCommit<string, string>({ maxRows: 100, maxDelayMs: 20, maxPendingRows: 1000, concurrency: 2 }, flush);
    const result = gc.submit("a", 1);
    await sleep(5);
    expect(flushes).toHaveLength(0);
    await sleep(40);
    expect(flushes.map((f) => f.entries)).toEqual([["a"]]);
    flushes[0]!.finish();
    await expect(result).resolves.toBe("ok:a");
  });

  it("full flushes start at once, up to the concurrency", async () => {
    const { flushes, flush } = controlledFlush();
    const gc = new GroupCommit<string, string>({ maxRows: 10, maxDelayMs: 10_000, maxPendingRows: 1000, concurrency: 2 }, flush);
    const results = ["a", "b", "c"].map((e) => gc.submit(e, 10));
    await tick();
    expect(flushes.map((f) => f.entries)).toEqual([["a"], ["b"]]);
    flushes[0]!.finish();
    await tick();
    expect(flushes.map((f) => f.entries)).toEqual([["a"], ["b"], ["c"]]);
    for (const f of flushes.slice(1)) f.finish();
    await expect(Promise.all(results)).resolves.toEqual(["ok:a", "ok:b", "ok:c"]);
  });

  it("a partial flush waits while another is in flight and then carries all that gathered", async () => {
    const { flushes, flush } = controlledFlush();
    const gc = new GroupCommit<string, string>({ maxRows: 10, maxDelayMs: 5, maxPendingRows: 1000, concurrency: 2 }, flush);
    const first = gc.submit("full", 10);
    await tick();
    const rest = ["x", "y", "z"].map((e) => gc.submit(e, 1));
    await sleep(30);
    // Its delay is long past, but a flush is in flight: a second, small INSERT would only add work.
    expect(flushes.map((f) => f.entries)).toEqual([["full"]]);
    flushes[0]!.finish();
    await first;
    await tick();
    expect(flushes.map((f) => f.entries)).toEqual([["full"], ["x", "y", "z"]]);
    flushes[1]!.finish();
    await expect(Promise.all(rest)).resolves.toEqual(["ok:x", "ok:y", "ok:z"]);
  });

  it("submit waits while the pending rows are at their bound", async () => {
    const { flushes, flush } = controlledFlush();
    const gc = new GroupCommit<string, string>({ maxRows: 10, maxDelayMs: 1, maxPendingRows: 10, concurrency: 1 }, flush);
    void gc.submit("a", 10);
    let admitted = false;
    const second = gc.submit("b", 5).then((r) => ((admitted = true), r));
    await sleep(20);
    expect(gc.pendingRows).toBe(10);
    expect(admitted).toBe(false);
    flushes[0]!.finish();
    await sleep(20);
    expect(flushes.map((f) => f.entries)).toEqual([["a"], ["b"]]);
    flushes[1]!.finish();
    await expect(second).resolves.toBe("ok:b");
  });
});
