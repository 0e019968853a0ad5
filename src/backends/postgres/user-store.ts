import type { PoolStats } from "../../ports/backend.js";
import type { UserStore } from "../../ports/user-store.js";
import { sqlAccounts } from "./accounts.js";
import { sqlApiKeys } from "./api-keys.js";
import { sqlAuditLog } from "./audit-log.js";
import { sqlModels } from "./models.js";
import { sqlSessions } from "./sessions.js";
import type { SqlClient } from "./sql-client.js";

/** UserStore on PostgreSQL (pg) or PGlite: the same SQL, always parameterized, one module per concern. */
export function sqlUserStore(sql: SqlClient & { poolStats?(): PoolStats }, adapter: string): UserStore {
  return {
    ...sqlAccounts(sql),
    ...sqlSessions(sql),
    ...sqlApiKeys(sql),
    ...sqlModels(sql),
    ...sqlAuditLog(sql),
    adapter,
    async probe() {
      await sql.query("SELECT 1");
    },
    get circuit() {
      return sql.circuit;
    },
    poolStats: () => sql.poolStats?.(),
  };
}
