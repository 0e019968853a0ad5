import { randomBytes } from "node:crypto";
import { open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Metric } from "../../ports/vector-store.js";
import type { SavedLabels } from "./hnsw-index.js";

/**
 * The manifest of a snapshot of the embedded vector indexes: how far into the journal they reach,
 * and per collection the index file and its id map. The manifest is written last and renamed into
 * place, so a crash at any point leaves either the old snapshot whole or the new one whole; files
 * it does not name are leftovers of an interrupted snapshot and are removed by the next one.
 */
export type SnapshotManifest = { format: 1; journalBytes: number; collections: Record<string, SnapshotEntry> };

type SnapshotEntry = { file: string; metric: Metric; dimension: number } & SavedLabels;

/** A collection's index to snapshot: its shape, and how to write it to a path. */
export type IndexToSave = { name: string; metric: Metric; dimension: number; save(path: string): Promise<SavedLabels> };

const MANIFEST = "manifest.json";

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The manifest in `dir`, or undefined when there is none or it cannot be read (the caller rebuilds). */
export async function readManifest(dir: string): Promise<SnapshotManifest | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, MANIFEST), "utf8")) as SnapshotManifest;
    return parsed.format === 1 && Number.isSafeInteger(parsed.journalBytes) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes a snapshot: each collection's index through `save` into a file of this generation, every
 * file synced, then the manifest swapped in atomically. Older generations are deleted after.
 */
export async function writeSnapshot(
  dir: string,
  journalBytes: number,
  indexes: Iterable<IndexToSave>,
): Promise<void> {
  const generation = randomBytes(6).toString("hex");
  const collections: SnapshotManifest["collections"] = {};
  let n = 0;
  for (const { name, metric, dimension, save } of indexes) {
    const file = `${generation}-${n++}.hnsw`;
    const saved = await save(join(dir, file));
    await fsyncPath(join(dir, file));
    collections[name] = { file, metric, dimension, ...saved };
  }
  const manifest: SnapshotManifest = { format: 1, journalBytes, collections };
  const tmp = join(dir, `${MANIFEST}.tmp`);
  await writeFile(tmp, JSON.stringify(manifest));
  await fsyncPath(tmp);
  await rename(tmp, join(dir, MANIFEST));
  await fsyncPath(dir);
  const keep = new Set([MANIFEST, ...Object.values(collections).map((c) => c.file)]);
  for (const f of await readdir(dir)) if (!keep.has(f)) await rm(join(dir, f), { force: true });
}
