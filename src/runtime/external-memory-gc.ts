import { setFlagsFromString } from "node:v8";

/**
 * V8 starts a full collection whenever memory held outside its heap (ArrayBuffers: the Native
 * answers a bulk read receives, the chunks it sends) has grown 64 MB since the last one, however
 * small that is beside the heap's own limit. A columnar QueryTicks moves about 50 MB per million
 * ticks, so the service collected every 25 MB or so, marking its whole heap each time; V8's
 * worker threads then spent as much CPU as the main thread (bench/RESULTS.md, 2026-12-04). With
 * this flag external memory counts toward the heap's global limit, which grows with the heap and
 * the collector's speed: 41 -> 15 full collections over 20M ticks read, service CPU 0.12 -> 0.08
 * us a tick. The flag is read at each collection, so setting it at start is enough.
 */
export const EXTERNAL_MEMORY_GC_FLAG = "--external-memory-accounted-in-global-limit";

export function countExternalMemoryInHeapLimit(): void {
  setFlagsFromString(EXTERNAL_MEMORY_GC_FLAG);
}
