import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type ChdbSession, startChdbHttp } from "../harness/chdb-http.js";

/**
 * Starts the current ClickHouse engine in process (chdb, installed by
 * scripts/clickhouse-modern.sh and named by CHDB_MODULE) behind the HTTP endpoint of
 * test/harness/chdb-http.ts, and points CLICKHOUSE_URL at it, so the ClickHouse suites run
 * against the current engine through the adapter's own client.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const module = process.env.CHDB_MODULE;
  if (!module) throw new Error("CHDB_MODULE is not set: run these checks through npm run test:clickhouse-modern");
  const { Session } = (await import(pathToFileURL(module).href)) as { Session: new (path: string) => ChdbSession };
  const dir = mkdtempSync(join(tmpdir(), "neliti-chdb-"));
  const session = new Session(dir);
  const endpoint = await startChdbHttp(session);
  process.env.CLICKHOUSE_URL = endpoint.url;
  process.env.REQUIRE_BACKENDS = "clickhouse";
  return async () => {
    await endpoint.close();
    session.cleanup?.();
    rmSync(dir, { recursive: true, force: true });
  };
}
