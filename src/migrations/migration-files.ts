import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export type MigrationFile = { version: number; name: string; up: string; down: string };

/** Reads `NNNN_name.up.<ext>` / `NNNN_name.down.<ext>` pairs from a folder, by version. */
export async function readMigrationFiles(dir: string, ext = "sql"): Promise<MigrationFile[]> {
  const names = await readdir(dir);
  const byVersion = new Map<number, Partial<MigrationFile>>();
  for (const file of names) {
    const m = new RegExp(`^(\\d+)_([a-z0-9_]+)\\.(up|down)\\.${ext}$`).exec(file);
    if (!m) continue;
    const version = Number(m[1]);
    const entry = byVersion.get(version) ?? { version, name: m[2]! };
    entry[m[3] as "up" | "down"] = await readFile(join(dir, file), "utf8");
    byVersion.set(version, entry);
  }
  return [...byVersion.values()]
    .map((m) => {
      if (m.up === undefined || m.down === undefined) throw new Error(`migration ${m.version} in ${dir} needs both up and down files`);
      return m as MigrationFile;
    })
    .sort((a, b) => a.version - b.version);
}

export const MIGRATIONS_ROOT = new URL("../../migrations/", import.meta.url).pathname;
