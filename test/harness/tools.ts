import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import http2 from "node:http2";
import { requiredBackends } from "./backends.js";

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

/** GET over HTTP/2 (cleartext), e.g. /metrics. */
export function httpGet(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", reject);
    const req = session.request({ ":path": path, ":method": "GET" });
    let body = "";
    let status = 0;
    req.on("response", (h) => (status = Number(h[":status"])));
    req.setEncoding("utf8");
    req.on("data", (d: string) => (body += d));
    req.on("end", () => {
      session.close();
      resolve({ status, body });
    });
    req.end();
  });
}

/**
 * Whether every Go tool named is at hand (scripts/stack.sh install tools puts protoc and the Go
 * plugins in its cache); REQUIRE_BACKENDS=go makes a missing one a failure, as CI does.
 */
export function goToolchain(tools: readonly string[]): boolean {
  const missing = tools.filter((t) => !findTool(t));
  if (missing.length > 0 && requiredBackends().has("go")) throw new Error(`REQUIRE_BACKENDS names go, but ${missing.join(", ")} is missing (scripts/stack.sh install tools)`);
  return missing.length === 0;
}
