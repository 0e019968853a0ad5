import { sqlUserStore } from "../../src/backends/postgres/user-store.js";
import { describeWithBackend } from "../harness/backends.js";
import { openSql } from "../harness/sql-stores.js";
import { userStoreContract } from "./user-store.contract.js";

userStoreContract("embedded (PGlite)", async () => {
  const fx = await openSql("pglite");
  return { store: sqlUserStore(fx.sql, fx.adapter), cleanup: fx.cleanup };
});

describeWithBackend("postgres", "real PostgreSQL", (postgresUrl) => {
  userStoreContract("PostgreSQL", async () => {
    const fx = await openSql({ postgresUrl });
    return { store: sqlUserStore(fx.sql, fx.adapter), cleanup: fx.cleanup };
  });
});
