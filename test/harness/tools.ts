import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";

/** A binary from PATH or from the stack's tool cache (scripts/stack.sh install tools), or undefined. */
export function findTool(name: string): string | undefined {
  const cached = `${process.env.NELITI_STACK_CACHE ?? "/var/cache/neliti-stack"}/bin/${name}`;
  if (existsSync(cached)) return cached;
  try {
    return execFileSync("which", [name], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}
