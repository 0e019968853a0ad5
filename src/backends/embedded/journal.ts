import { mkdirSync } from "node:fs";
import { appendFile, type FileHandle, open, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * An append-only journal file of the embedded stores: its current lines (to replay) and a handle
 * to append to. Lines that do not parse are the torn tail of a crash mid-write, never
 * acknowledged; the caller skips them.
 */
export async function openJournal(dir: string, name: string): Promise<{ handle: FileHandle; lines: string[] }> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  await appendFile(path, "");
  const lines = (await readFile(path, "utf8")).split("\n").filter((l) => l !== "");
  return { handle: await open(path, "a"), lines };
}
