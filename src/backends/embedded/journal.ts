import { createReadStream, mkdirSync } from "node:fs";
import { appendFile, type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";

/**
 * An append-only journal file of the embedded stores: its current lines (to replay, streamed so
 * a journal larger than a JS string still opens) and a handle to append to. Lines that do not
 * parse are the torn tail of a crash mid-write, never acknowledged; the caller skips them.
 */
export async function openJournal(dir: string, name: string): Promise<{ handle: FileHandle; lines: AsyncIterable<string> }> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  await appendFile(path, "");
  const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Number.POSITIVE_INFINITY });
  return { handle: await open(path, "a"), lines: nonEmpty(lines) };
}

async function* nonEmpty(lines: AsyncIterable<string>): AsyncIterable<string> {
  for await (const line of lines) if (line !== "") yield line;
}
