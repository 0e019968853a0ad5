import { mkdirSync } from "node:fs";
import { open, readFile, rename, writeFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { decodeBatchLine, encodeBatchLine } from "../tick-block/journal-line.js";
import type { TickBlock } from "../ports/tick-block.js";
import { SerialQueue } from "../batching/serial-queue.js";

export type SpoolEntry = { batchId: string; block: TickBlock };

const READ_WINDOW = 1 << 20;

/**
 * A local, append-only, fsync'd spool of tick batches, bounded in bytes: where acknowledged
 * batches wait while the tick store is down, in arrival order. Replay progress is the byte
 * offset of the first entry not yet stored, kept in a sidecar file, so a crash mid-replay
 * resumes there; an entry replayed twice is recognised by the store's batch-id deduplication.
 */
export class TickSpool {
  private end = 0;
  private start = 0;
  private entries = 0;
  private readonly queue = new SerialQueue();

  private constructor(
    private readonly offsetPath: string,
    private file: FileHandle,
    readonly maxBytes: number,
  ) {}

  static async open(dir: string, maxBytes: number): Promise<TickSpool> {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, "ticks.spool");
    const offsetPath = join(dir, "ticks.spool.offset");
    const file = await open(path, "a+");
    const spool = new TickSpool(offsetPath, file, maxBytes);
    spool.end = (await file.stat()).size;
    await spool.dropTornTail();
    spool.start = Math.min(spool.end, Number((await readFile(offsetPath, "utf8").catch(() => "0")).trim()) || 0);
    for (let pos = spool.start, e = await spool.entryAt(pos); e; pos = e.next, e = await spool.entryAt(pos)) spool.entries++;
    return spool;
  }

  get isEmpty(): boolean {
    return this.entries === 0;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries, bytes: this.end - this.start };
  }

  /** Resolves true once the entry is on disk (fsync'd); false when it would pass the byte bound. */
  append(batchId: string, block: TickBlock): Promise<boolean> {
    const text = encodeBatchLine(batchId, block);
    return this.queue.run(async () => {
      const size = Buffer.byteLength(text);
      if (this.end - this.start + size > this.maxBytes) return false;
      await this.file.appendFile(text);
      await this.file.datasync();
      this.end += size;
      this.entries++;
      return true;
    });
  }

  /** The oldest entry not yet stored, and the offset just past it. */
  peek(): Promise<{ entry: SpoolEntry; next: number } | undefined> {
    return this.queue.run(() => this.entryAt(this.start));
  }

  /** Marks the peeked entry stored; empties the file once everything is. */
  advance(next: number): Promise<void> {
    return this.queue.run(async () => {
      this.start = next;
      this.entries = Math.max(0, this.entries - 1);
      if (this.entries === 0) {
        await this.file.truncate(0);
        await this.file.datasync();
        this.start = 0;
        this.end = 0;
      }
      await writeFile(`${this.offsetPath}.tmp`, String(this.start));
      await rename(`${this.offsetPath}.tmp`, this.offsetPath);
    });
  }

  /** A crash mid-append leaves a line without its newline; it was never acknowledged. */
  private async dropTornTail(): Promise<void> {
    if (this.end === 0) return;
    const tail = Buffer.alloc(Math.min(this.end, READ_WINDOW));
    let pos = this.end;
    while (pos > 0) {
      const from = Math.max(0, pos - tail.length);
      const { bytesRead } = await this.file.read(tail, 0, pos - from, from);
      const nl = tail.subarray(0, bytesRead).lastIndexOf(10);
      if (nl >= 0) {
        pos = from + nl + 1;
        break;
      }
      pos = from;
    }
    if (pos < this.end) {
      await this.file.truncate(pos);
      this.end = pos;
    }
  }

  private async entryAt(offset: number): Promise<{ entry: SpoolEntry; next: number } | undefined> {
    let window = READ_WINDOW;
    for (;;) {
      const buf = Buffer.alloc(Math.min(window, Math.max(0, this.end - offset)));
      if (buf.length === 0) return undefined;
      const { bytesRead } = await this.file.read(buf, 0, buf.length, offset);
      const nl = buf.subarray(0, bytesRead).indexOf(10);
      if (nl >= 0) {
        const entry = decodeBatchLine(buf.subarray(0, nl).toString("utf8"));
        return entry ? { entry, next: offset + nl + 1 } : undefined;
      }
      // A torn last line (crash mid-append) was never acknowledged.
      if (offset + bytesRead >= this.end) return undefined;
      window *= 2;
    }
  }

  async close(): Promise<void> {
    await this.queue.idle();
    await this.file.close();
  }
}
