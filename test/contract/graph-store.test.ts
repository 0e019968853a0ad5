import { SqlGraphStore } from "../../src/backends/postgres/graph-store.js";
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
