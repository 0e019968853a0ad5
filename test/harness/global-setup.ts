import { requiredBackends } from "./backends.js";
import { backendsProvider, startContainers } from "./testcontainers.js";

/**
 * Vitest global setup: with BACKENDS_PROVIDER=testcontainers, start the backends in containers
 * before any suite and export their URLs to every test process (forked after this runs). Without
 * a container runtime the run fails when REQUIRE_BACKENDS names backends, and otherwise goes on
 * with the suites that need them skipped, saying why.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (backendsProvider() !== "testcontainers") return undefined;
  let started: Awaited<ReturnType<typeof startContainers>>;
  try {
    started = await startContainers();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const required = [...requiredBackends()];
    if (required.length > 0) throw new Error(`BACKENDS_PROVIDER=testcontainers could not start the backends (${reason}); REQUIRE_BACKENDS names ${required.join(", ")}`);
    process.stderr.write(`testcontainers: no backends started (${reason}); suites that need them are skipped\n`);
    return undefined;
  }
  Object.assign(process.env, started.env);
  return () => started.stop();
}
