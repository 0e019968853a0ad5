import type { ApiKeyRecord, ApiKeyStore } from "../../ports/user-store.js";
import { explainConstraints, type SqlClient } from "./sql-client.js";

type ApiKeyRow = {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  scopes: string[];
  expires_at: Date | null;
  revoked: boolean;
  created_at: Date;
};

const KEY_COLUMNS = "id, user_id, name, prefix, secret_hash, scopes, expires_at, revoked, created_at";

const toKey = (r: ApiKeyRow): ApiKeyRecord => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  prefix: r.prefix,
  secretHash: r.secret_hash,
  scopes: r.scopes,
  expiresAt: r.expires_at ? new Date(r.expires_at) : undefined,
  revoked: r.revoked,
  createdAt: new Date(r.created_at),
});

/** API keys: looked up by their public prefix; only a hash of the secret is stored. */
export function sqlApiKeys(sql: SqlClient): ApiKeyStore {
  const select = async (where: string, params: unknown[]) => (await sql.query<ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys ${where}`, params)).map(toKey);
  return {
    async createApiKey(k) {
      await explainConstraints(
        () =>
          sql.query(`INSERT INTO api_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
            k.id,
            k.userId,
            k.name,
            k.prefix,
            k.secretHash,
            k.scopes,
            k.expiresAt ?? null,
            k.revoked,
            k.createdAt,
          ]),
        "an API key with that prefix exists",
        { field: "user_id", message: "refers to no user" },
      );
    },

    async getApiKeyByPrefix(prefix) {
      return (await select("WHERE prefix = $1", [prefix]))[0];
    },

    async getApiKey(id) {
      return (await select("WHERE id = $1", [id]))[0];
    },

    async listApiKeys(userId) {
      return select("WHERE user_id = $1 ORDER BY created_at DESC, id", [userId]);
    },

    async revokeApiKey(id) {
      return (await sql.query<ApiKeyRow>(`UPDATE api_keys SET revoked = true WHERE id = $1 RETURNING ${KEY_COLUMNS}`, [id])).map(toKey)[0];
    },
  };
}
