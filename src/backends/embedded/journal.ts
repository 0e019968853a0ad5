import { createReadStream, mkdirSync } from "node:fs";
import { appendFile, type FileHandle, open, stat, truncate } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** A journal line and the byte offset just past it (its newline), so a snapshot can say how far it reaches. */
export type JournalLine = { text: string; end: number };

/**
 * An append-only journal file of the embedded stores: its current lines (to replay, streamed so
 * a journal larger than a JS string still opens) and a handle to append to. Every entry is
 * written as one line ending in a newline, so a last line without one is the torn tail of a crash
 * mid-write, never acknowledged: it is not replayed and is cut off once the lines have been read,
 * so the next append starts a line of its own instead of gluing itself to the fragment.
 */
export async function openJournal(dir: string, name: string): Promise<{ handle: FileHandle; lines: AsyncIterable<JournalLine> }> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  await appendFile(path, "");
  const size = (await stat(path)).size;
  return { handle: await open(path, "a"), lines: completeLines(path, size) };
}

async function* completeLines(path: string, size: number): AsyncIterable<JournalLine> {
  let end = 0;
  // Created when iteration starts: readline drops lines emitted before anyone iterates.
  const lines = size === 0 ? [] : createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const text of lines) {
    const next = end + Buffer.byteLength(text) + 1;
    if (next > size) break; // no newline after it: the torn tail
    end = next;
    if (text !== "") yield { text, end };
  }
  if (end < size) await truncate(path, end);
}
