import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe } from "vitest";
import { type BackendId, backendUrl, requiredBackends } from "./backends.js";
import { backendsProvider } from "./testcontainers.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const DATA = process.env.NELITI_STACK_DATA ?? "/tmp/neliti-stack";

/** Whether scripts/stack.sh runs this backend here (so a test may kill and restart it). */
export function stackManages(id: BackendId): boolean {
  return existsSync(`${DATA}/${id}`);
}

/** kill -9 the backend, keeping its data. */
export function killBackend(id: BackendId): void {
  execFileSync("bash", [`${ROOT}scripts/stack.sh`, "stop", id], { stdio: "ignore" });
}

/** Start it again and wait until it answers. */
export function startBackend(id: BackendId): void {
  execFileSync("bash", [`${ROOT}scripts/stack.sh`, "start", id], { stdio: "ignore" });
}

/**
 * describe() for fault tests that kill and restart a real backend: runs when the backend is
 * configured and managed by scripts/stack.sh on this machine; fails when REQUIRE_BACKENDS names
 * it but it cannot be controlled; skips otherwise.
 */
export function describeFaults(id: BackendId, title: string, body: (url: string) => void): void {
  const url = backendUrl(id);
  if (url !== undefined && stackManages(id)) {
    describe(title, () => body(url));
    return;
  }
  if (backendsProvider() === "testcontainers") {
    describe.skip(`${title} [skipped: fault drills kill backends through scripts/stack.sh; not built for testcontainers yet]`, () => undefined);
    return;
  }
  if (requiredBackends().has(id)) throw new Error(`REQUIRE_BACKENDS names ${id}, but scripts/stack.sh does not run it here (fault tests need to kill it)`);
  describe.skip(`${title} [skipped: needs ${id} from scripts/stack.sh]`, () => undefined);
}
