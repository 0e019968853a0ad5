import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TickSpool } from "../../src/spool/spool.js";
import { blockFromTicks } from "../../src/tick-block/proto-codec.js";
import { tick } from "../harness/ticks.js";

describe("TickSpool", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "neliti-spool-"));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const block = (n: number) => blockFromTicks(Array.from({ length: n }, (_, i) => tick({ bid: 1 + i, ask: 2 + i })));

  it("returns entries in arrival order and empties once all are stored", async () => {
    const spool = await TickSpool.open(dir, 1 << 20);
    expect(await spool.append("a", block(2))).toBe(true);
    expect(await spool.append("b", block(3))).toBe(true);
    expect(spool.size.entries).toBe(2);
    const first = await spool.peek();
    expect([first?.entry.batchId, first?.entry.block.length, first?.entry.block.bid[1]]).toEqual(["a", 2, 2]);
    await spool.advance(first!.next);
    const second = await spool.peek();
    expect(second?.entry.batchId).toBe("b");
    await spool.advance(second!.next);
    expect(spool.isEmpty).toBe(true);
    expect(spool.size.bytes).toBe(0);
    expect(await spool.peek()).toBeUndefined();
    await spool.close();
  });

  it("resumes after a crash where replay stopped, ignoring a torn last line", async () => {
    const spool = await TickSpool.open(dir, 1 << 20);
    await spool.append("a", block(1));
    await spool.append("b", block(1));
    await spool.advance((await spool.peek())!.next);
    await spool.close();
    await appendFile(join(dir, "ticks.spool"), '{"b":"torn","t":[["EUR');

    const reopened = await TickSpool.open(dir, 1 << 20);
    expect(reopened.size.entries).toBe(1);
    expect((await reopened.peek())?.entry.batchId).toBe("b");
    await reopened.append("c", block(1));
    await reopened.advance((await reopened.peek())!.next);
    expect((await reopened.peek())?.entry.batchId).toBe("c");
    await reopened.close();
  });

  it("refuses appends past its byte bound", async () => {
    const spool = await TickSpool.open(dir, 300);
    expect(await spool.append("a", block(1))).toBe(true);
    expect(await spool.append("b", block(10))).toBe(false);
    expect(spool.size.entries).toBe(1);
    await spool.close();
  });
});
