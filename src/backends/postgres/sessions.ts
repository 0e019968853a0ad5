import type { SessionRecord, SessionStore } from "../../ports/user-store.js";
import type { SqlClient } from "./sql-client.js";

type SessionRow = { id: string; user_id: string; expires_at: Date; revoked_at: Date | null };

const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  userId: r.user_id,
  expiresAt: new Date(r.expires_at),
  revokedAt: r.revoked_at ? new Date(r.revoked_at) : undefined,
});

/** The sessions rows behind signed session tokens: a token is good only while its row is live. */
export function sqlSessions(sql: SqlClient): SessionStore {
  return {
    async createSession(s) {
      await sql.query("INSERT INTO sessions (id, user_id, expires_at, revoked_at) VALUES ($1, $2, $3, $4)", [s.id, s.userId, s.expiresAt, s.revokedAt ?? null]);
    },

    async getSession(id) {
      return (await sql.query<SessionRow>("SELECT id, user_id, expires_at, revoked_at FROM sessions WHERE id = $1", [id])).map(toSession)[0];
    },

    async revokeSession(id, at) {
      const rows = await sql.query("UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id", [id, at]);
      return rows.length > 0;
    },

    async liveSessionIds(userId) {
      const rows = await sql.query<{ id: string }>("SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()", [userId]);
      return rows.map((r) => r.id);
    },
  };
}
