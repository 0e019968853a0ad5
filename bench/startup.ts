import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { EmbeddedVectorStore } from "../src/backends/embedded/vector-store.js";
import { arg, machine, seededRandom } from "./lib.js";

const ROOT = new URL("../", import.meta.url).pathname;

/**
 * Time from launch until a child prints `ready` on stdout or stderr; the child's whole process
 * group is killed after.
 */
async function launchToReady(command: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<number> {
  const t0 = performance.now();
  const child: ChildProcess = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  try {
    return await new Promise<number>((resolve, reject) => {
      let seen = "";
      const onData = (chunk: Buffer) => {
        seen += chunk.toString();
        if (ready.test(seen)) resolve(performance.now() - t0);
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * `npm start` (the README's command, embedded mode) from launch to listening, on a fresh data dir
 * and again on the same dir (warm), against the same run's floor: a Node process that only opens
 * an HTTP/2 port. Then the embedded vector store: reopening N vectors from its index snapshot
 * against rebuilding the index from the journal (the start-up cost before snapshots).
 */
export async function run() {
  const rounds = arg("rounds", 3);
  const vectors = arg("vectors", 100_000);
  const dim = arg("dim", 384);
  console.log(`startup bench: ${rounds} rounds, vector reopen at ${vectors} x ${dim}; ${machine()}`);

  const floor: number[] = [];
  const fresh: number[] = [];
  const warm: number[] = [];
  const bare = "require('node:http2').createServer().listen(0, '127.0.0.1', () => console.log('listening'))";
  for (let i = 0; i < rounds; i++) {
    floor.push(await launchToReady("node", ["-e", bare], {}, /listening/));
    const dataDir = await mkdtemp(join(tmpdir(), "neliti-startup-"));
    const env = { DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "info" };
    try {
      fresh.push(await launchToReady("npm", ["start", "--silent"], env, /"msg":"listening"/));
      warm.push(await launchToReady("npm", ["start", "--silent"], env, /"msg":"listening"/));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const figures = { floor_ms: Math.round(median(floor)), fresh_ms: Math.round(median(fresh)), warm_ms: Math.round(median(warm)) };
  console.log(`bare node:http2 process listening: ${figures.floor_ms} ms (median; runs ${floor.map(Math.round).join(", ")})`);
  console.log(`npm start, fresh data dir: ${figures.fresh_ms} ms (runs ${fresh.map(Math.round).join(", ")}), ${(figures.fresh_ms / figures.floor_ms).toFixed(1)}x the floor; target 5000`);
  console.log(`npm start, warm data dir:  ${figures.warm_ms} ms (runs ${warm.map(Math.round).join(", ")}), ${(figures.warm_ms / figures.floor_ms).toFixed(1)}x the floor; target 2000`);

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
