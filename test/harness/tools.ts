import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import http2 from "node:http2";

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
