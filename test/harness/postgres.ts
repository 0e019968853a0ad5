import pg from "pg";
import { uniqueSuffix } from "./backends.js";

/**
 * A database of its own for one suite on the real PostgreSQL, dropped afterwards, so suites never
 * see each other's rows and leave nothing behind.
 */
export async function createTempDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `neliti_test_${uniqueSuffix()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
