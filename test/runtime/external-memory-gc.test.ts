import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { EXTERNAL_MEMORY_GC_FLAG } from "../../src/runtime/external-memory-gc.js";

/**
 * Full collections a fresh process runs while it allocates and drops 1 GiB of 4 MiB buffers (as
 * a bulk read receives them) beside 300,000 live objects; with `set` it first calls
 * countExternalMemoryInHeapLimit(), as the service does at start. The loop does not yield: with
 * both cores busy, collections finished by V8's workers between turns made the counts vary
 * (8-12 without the flag, 1-6 with it), while allocation alone gives 11-13 and 0-1.
 */
function majorCollections(set: boolean): number {
  const script = `
    import { PerformanceObserver, constants } from "node:perf_hooks";
    ${set ? `const { countExternalMemoryInHeapLimit } = await import(${JSON.stringify(new URL("../../src/runtime/external-memory-gc.ts", import.meta.url).pathname)}); countExternalMemoryInHeapLimit();` : ""}
    const live = Array.from({ length: 300_000 }, (_, i) => ({ i, s: "x" + i }));
    let majors = 0;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++; }).observe({ entryTypes: ["gc"] });
    for (let i = 0; i < 256; i++) Buffer.allocUnsafeSlow(4 << 20).fill(i);
    await new Promise((r) => setTimeout(r, 50));
    console.log(majors, live.length);`;
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
  return Number(out.trim().split(" ")[0]);
}

describe("external memory counted in V8's heap limit", () => {
  // v8.setFlagsFromString ignores a flag it does not know: a later Node without it must fail here.
  it("names a flag this Node's V8 has", () => {
    const options = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8" });
    expect(options).toContain(`  ${EXTERNAL_MEMORY_GC_FLAG} (`);
  });

  it("set at start, it cuts the full collections that dropped buffers set off (11-13 -> 0-1 here)", () => {
    const without = majorCollections(false);
    const withFlag = majorCollections(true);
    expect(without).toBeGreaterThanOrEqual(8);
    expect(withFlag).toBeLessThan(without / 4);
  });
});
