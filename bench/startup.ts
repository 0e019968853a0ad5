import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { EmbeddedVectorStore } from "../src/backends/embedded/vector-store.js";
import { arg, machine, median, seededRandom } from "./lib.js";

const ROOT = new URL("../", import.meta.url).pathname;

/**
 * Times from launch until a child's output (stdout and stderr) first satisfies each of `marks`, in
 * order; the child's whole process group is killed after the last.
 */
async function launchUntil(command: string, args: string[], env: Record<string, string>, marks: ((seen: string) => boolean)[]): Promise<number[]> {
  const t0 = performance.now();
  const child: ChildProcess = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  try {
    return await new Promise<number[]>((resolve, reject) => {
      let seen = "";
      const times: number[] = [];
      const onData = (chunk: Buffer) => {
        seen += chunk.toString();
        while (times.length < marks.length && marks[times.length]!(seen)) times.push(performance.now() - t0);
        if (times.length === marks.length) resolve(times);
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", (code) => reject(new Error(`exited with ${code} before it was ready:\n${seen}`)));
    });
  } finally {
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((r) => child.once("close", r));
  }
}

const count = (text: string, part: string) => text.split(part).length - 1;
const listening = (seen: string) => seen.includes('"msg":"listening"');
/** Every store the banner says is opening in the background has logged that it is ready: health SERVING. */
const ready = (seen: string) => seen.includes("Services:") && count(seen, '"msg":"store ready"') >= count(seen, "(opening in the background");

/**
 * `npm start` (the README's command, embedded mode) from launch to listening and to every store
 * ready (health SERVING), on a fresh data dir and again on the same dir (warm), against the same
 * run's floor: a Node process that only opens an HTTP/2 port. Then the embedded vector store: reopening N vectors from its index snapshot
 * against rebuilding the index from the journal (the start-up cost before snapshots).
 */
export async function run() {
  const rounds = arg("rounds", 3);
  const vectors = arg("vectors", 100_000);
  const dim = arg("dim", 384);
  console.log(`startup bench: ${rounds} rounds, vector reopen at ${vectors} x ${dim}; ${machine()}`);

  const floor: number[] = [];
  const fresh: number[][] = [];
  const warm: number[][] = [];
  const bare = "require('node:http2').createServer().listen(0, '127.0.0.1', () => console.log('listening'))";
  for (let i = 0; i < rounds; i++) {
    floor.push((await launchUntil("node", ["-e", bare], {}, [(seen) => seen.includes("listening")]))[0]!);
    const dataDir = await mkdtemp(join(tmpdir(), "neliti-startup-"));
    const env = { DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "info" };
    try {
      fresh.push(await launchUntil("npm", ["start", "--silent"], env, [listening, ready]));
      warm.push(await launchUntil("npm", ["start", "--silent"], env, [listening, ready]));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const at = (runs: number[][], mark: number) => runs.map((r) => r[mark]!);
  const figures = {
    floor_ms: Math.round(median(floor)),
    fresh_ms: Math.round(median(at(fresh, 0))),
    fresh_ready_ms: Math.round(median(at(fresh, 1))),
    warm_ms: Math.round(median(at(warm, 0))),
    warm_ready_ms: Math.round(median(at(warm, 1))),
  };
  const runs = (xs: number[]) => xs.map(Math.round).join(", ");
  console.log(`bare node:http2 process listening: ${figures.floor_ms} ms (median; runs ${runs(floor)})`);
  console.log(`npm start, fresh data dir: listening ${figures.fresh_ms} ms (runs ${runs(at(fresh, 0))}), ${(figures.fresh_ms / figures.floor_ms).toFixed(1)}x the floor, target 5000; every store ready ${figures.fresh_ready_ms} ms`);
  console.log(`npm start, warm data dir:  listening ${figures.warm_ms} ms (runs ${runs(at(warm, 0))}), ${(figures.warm_ms / figures.floor_ms).toFixed(1)}x the floor, target 2000; every store ready ${figures.warm_ready_ms} ms`);

  const dir = await mkdtemp(join(tmpdir(), "neliti-reopen-"));
  try {
    const random = seededRandom(3);
    const store = await EmbeddedVectorStore.open(dir, { snapshotEvery: Number.MAX_SAFE_INTEGER });
    await store.ensureCollection({ name: "Reopen", dimension: dim, metric: "cosine", properties: [] });
    let t = performance.now();
    for (let i = 0; i < vectors; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, vectors - i) }, () => ({ id: randomUUID(), vector: Float32Array.from({ length: dim }, () => random() - 0.5), properties: {} }));
      await store.upsert("Reopen", batch);
    }
    const buildMs = performance.now() - t;
    t = performance.now();
    await store.close();
    const snapshotMs = performance.now() - t;
    t = performance.now();
    const reopened = await EmbeddedVectorStore.open(dir);
    const reopenMs = performance.now() - t;
    const fromSnapshot = reopened.openStats;
    await reopened.close();
    await rm(join(dir, "index"), { recursive: true, force: true });
    t = performance.now();
    const rebuilt = await EmbeddedVectorStore.open(dir, { snapshotEvery: Number.MAX_SAFE_INTEGER });
    const rebuildMs = performance.now() - t;
    await rebuilt.close();
    const v = { build_ms: Math.round(buildMs), snapshot_ms: Math.round(snapshotMs), reopen_ms: Math.round(reopenMs), rebuild_ms: Math.round(rebuildMs) };
    console.log(`vectors: ${vectors} x ${dim} inserted in ${v.build_ms} ms; snapshot at close ${v.snapshot_ms} ms`);
    console.log(`vectors: reopen from snapshot ${v.reopen_ms} ms (${fromSnapshot.vectorsIndexed} re-indexed) vs rebuild from the journal ${v.rebuild_ms} ms: ${(v.rebuild_ms / v.reopen_ms).toFixed(1)}x faster`);
    return { bench: "startup", machine: machine(), date: new Date().toISOString(), ...figures, vectors: { count: vectors, dim, ...v } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
