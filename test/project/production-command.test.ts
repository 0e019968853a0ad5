import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PRODUCTION_NODE_ARGS } from "../harness/server-process.js";

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");

describe("the command production runs the service with", () => {
  const startProd = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts["start:prod"]!;

  it("keeps V8's memory reducer off: after a quiet spell it shrinks the heap, and the next burst's first 20k calls cost 2-3x (bench/RESULTS.md)", () => {
    expect(PRODUCTION_NODE_ARGS).toContain("--no-memory-reducer");
    expect(startProd).toBe(`node ${PRODUCTION_NODE_ARGS.join(" ")} dist/src/main.js`);
  });

  it("is the same in the Docker image as in start:prod, which tests and benches start the service with", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(read("Dockerfile"))?.[1];
    expect(JSON.parse(cmd ?? "null")).toEqual(["node", ...PRODUCTION_NODE_ARGS, "dist/src/main.js"]);
  });
});
