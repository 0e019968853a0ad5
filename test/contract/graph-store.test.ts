import { join } from "node:path";
import { ArangoGraphStore, ArangoMigrator } from "../../src/backends/arango/graph-store.js";
import { SqlGraphStore } from "../../src/backends/postgres/graph-store.js";
import { MIGRATIONS_ROOT, readMigrationFiles } from "../../src/migrations/migration-files.js";
import { describeWithBackend } from "../harness/backends.js";
import { openSql } from "../harness/sql-stores.js";
import { graphStoreContract } from "./graph-store.contract.js";

graphStoreContract("embedded (PGlite)", async () => {
  const fx = await openSql("pglite");
  return { store: new SqlGraphStore(fx.sql, fx.adapter), cleanup: fx.cleanup };
});

describeWithBackend("postgres", "real PostgreSQL", (postgresUrl) => {
  graphStoreContract("PostgreSQL", async () => {
    const fx = await openSql({ postgresUrl });
    return { store: new SqlGraphStore(fx.sql, fx.adapter), cleanup: fx.cleanup };
  });
});

// No ArangoDB can be installed on the build machines (no registry serves it): this suite runs
// wherever ARANGO_URL points at a real server, e.g. `docker compose up arangodb`.
describeWithBackend("arango", "real ArangoDB", (url) => {
  graphStoreContract("ArangoDB", async () => {
    const store = ArangoGraphStore.open({ url, poolSize: 4, timeoutMs: 10_000 });
    const migrator = new ArangoMigrator(store.db, await readMigrationFiles(join(MIGRATIONS_ROOT, "arango"), "json"));
    await migrator.migrateTo();
    return {
      store,
      cleanup: async () => {
        await migrator.rollbackTo(0);
        await store.close();
      },
    };
  });
});
