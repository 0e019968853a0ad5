import type { AuditLog } from "../../ports/user-store.js";
import type { SqlClient } from "./sql-client.js";

/** Who called what, with which result: one row per audited call. */
export function sqlAuditLog(sql: SqlClient): AuditLog {
  return {
    async audit(e) {
      await sql.query("INSERT INTO audit_log (actor, action, target, result, detail) VALUES ($1, $2, $3, $4, $5::jsonb)", [
        e.actor,
        e.action,
        e.target,
        e.result,
        JSON.stringify(e.detail),
      ]);
    },
  };
}
