import { randomUUID } from "node:crypto";
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EmbeddedVectorStore } from "../../../src/backends/embedded/vector-store.js";
import type { VectorRecord } from "../../../src/ports/vector-store.js";
import { seededRandom } from "../../../bench/lib.js";

const DIMENSION = 16;
const collection = "Patterns";

function records(count: number, seed: number): VectorRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({ id: randomUUID(), vector: Float32Array.from({ length: DIMENSION }, () => random() - 0.5), properties: { n: i } }));
}

/** Index search on every collection (exactScanMax 0), so the index, not a scan, answers. */
const openIndexed = (dir: string, snapshotEvery = 1_000_000) => EmbeddedVectorStore.open(dir, { exactScanMax: 0, snapshotEvery });

async function fill(store: EmbeddedVectorStore, rows: VectorRecord[]): Promise<void> {
  await store.ensureCollection({ name: collection, dimension: DIMENSION, metric: "cosine", properties: [{ name: "n", type: "int" }] });
  for (let i = 0; i < rows.length; i += 200) await store.upsert(collection, rows.slice(i, i + 200));
}

/** The top 5 of a few probes, as ids and distances: equal answers mean an equal index. */
async function answers(store: EmbeddedVectorStore): Promise<string[]> {
  const out: string[] = [];
  for (const probe of records(8, 99)) {
    const hits = await store.search(collection, { vector: probe.vector, limit: 5, maxDistance: undefined, filters: [] });
    out.push(hits.map((h) => `${h.record.id}:${h.distance.toFixed(6)}`).join(","));
  }
  return out;
}

describe("embedded vector index snapshot", () => {
  let dir: string;
  const open: EmbeddedVectorStore[] = [];
  const track = (s: EmbeddedVectorStore) => (open.push(s), s);
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "neliti-snap-"));
  });
  afterEach(async () => {
    // Stores a test "crashed" are closed here, after the reopen under test has read the files.
    for (const s of open.splice(0)) await s.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it("reopens from the snapshot written at close without re-indexing", async () => {
    const first = await openIndexed(dir);
    await fill(first, records(1_500, 1));
    const before = await answers(first);
    await first.close();

    const again = track(await openIndexed(dir));
    expect(again.openStats).toEqual({ collectionsFromSnapshot: 1, vectorsIndexed: 0 });
    expect(await answers(again)).toEqual(before);
  });

  it("after a crash re-indexes only the journal beyond the last snapshot", async () => {
    const first = track(await openIndexed(dir, 1_000));
    // Reaches snapshotEvery: a snapshot is queued behind the last of these writes and ahead of the next.
    await fill(first, records(1_000, 2));
    const later = records(300, 3);
    await fill(first, later);
    const before = await answers(first);
    // No close: the process "dies" here, with 300 vectors journaled but not in the snapshot.

    const again = track(await openIndexed(dir));
    expect(again.openStats).toEqual({ collectionsFromSnapshot: 1, vectorsIndexed: later.length });
    expect(await answers(again)).toEqual(before);
  });

  it("ignores the leftovers of a snapshot interrupted before its manifest, and removes them with the next one", async () => {
    const first = await openIndexed(dir);
    await fill(first, records(800, 4));
    await first.close();
    const index = join(dir, "index");
    const manifest = await readFile(join(index, "manifest.json"), "utf8");
    // A crash mid-snapshot: an index file of the new generation half written, a manifest not yet renamed.
    await writeFile(join(index, "ffffffffffff-0.hnsw"), Buffer.alloc(1000, 7));
    await writeFile(join(index, "manifest.json.tmp"), manifest.slice(0, 40));

    const again = await openIndexed(dir);
    expect(again.openStats.collectionsFromSnapshot).toBe(1);
    const expected = await answers(again);
    await fill(again, records(10, 5));
    await again.close();
    expect((await readdir(index)).filter((f) => f.startsWith("ffffffffffff") || f.endsWith(".tmp"))).toEqual([]);

    const third = track(await openIndexed(dir));
    expect(third.openStats).toEqual({ collectionsFromSnapshot: 1, vectorsIndexed: 0 });
    expect((await answers(third)).length).toBe(expected.length);
  });

  it("rebuilds from the journal when the snapshot's index file is damaged", async () => {
    const first = await openIndexed(dir);
    const rows = records(600, 6);
    await fill(first, rows);
    const before = await answers(first);
    await first.close();
    const index = join(dir, "index");
    const file = (await readdir(index)).find((f) => f.endsWith(".hnsw"))!;
    await writeFile(join(index, file), Buffer.alloc(64, 1));

    const again = track(await openIndexed(dir));
    expect(again.openStats).toEqual({ collectionsFromSnapshot: 0, vectorsIndexed: rows.length });
    expect(await answers(again)).toEqual(before);
  });

  it("drops a torn last journal line, and a write after it survives the next reopen", async () => {
    const first = await openIndexed(dir);
    await fill(first, records(50, 7));
    await first.close();
    await appendFile(join(dir, "vectors.journal"), '{"op":"upsert","collection":"Patt');

    const second = await openIndexed(dir);
    const extra = records(1, 8);
    await second.upsert(collection, extra);
    await second.close();

    const third = track(await openIndexed(dir));
    expect(await third.get(collection, extra[0]!.id)).toBeDefined();
  });
});
