import type { JsonObject } from "@bufbuild/protobuf";
import { AlreadyExistsError, InvalidArgumentError } from "../../errors.js";
import type { PoolStats } from "../../ports/backend.js";
import type {
  ApiKeyRecord,
  AuditEntry,
  ModelRecord,
  OrganizationRecord,
  SessionRecord,
  UserRecord,
  UserStore,
} from "../../ports/user-store.js";
import { FOREIGN_KEY_VIOLATION, type SqlClient, sqlErrorCode, UNIQUE_VIOLATION } from "./sql-client.js";

type UserRow = {
  id: string;
  email: string;
  password_hash: string;
  display_name: string;
  organization_id: string | null;
  roles: string[];
  disabled: boolean;
  created_at: Date;
  last_login: Date | null;
};

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

type ModelRow = { name: string; version: string; model_type: string; performance_metrics: JsonObject; created_at: Date };

const USER_COLUMNS = "id, email, password_hash, display_name, organization_id, roles, disabled, created_at, last_login";
const KEY_COLUMNS = "id, user_id, name, prefix, secret_hash, scopes, expires_at, revoked, created_at";

const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  email: r.email,
  passwordHash: r.password_hash,
  displayName: r.display_name,
  organizationId: r.organization_id ?? undefined,
  roles: r.roles,
  disabled: r.disabled,
  createdAt: new Date(r.created_at),
  lastLogin: r.last_login ? new Date(r.last_login) : undefined,
});

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

const toModel = (r: ModelRow): ModelRecord => ({
  name: r.name,
  version: r.version,
  modelType: r.model_type,
  metrics: r.performance_metrics,
  createdAt: new Date(r.created_at),
});

/** UserStore on PostgreSQL (pg) or PGlite: the same SQL, always parameterized. */
export class SqlUserStore implements UserStore {
  constructor(
    private readonly sql: SqlClient & { poolStats?(): PoolStats },
    readonly adapter: string,
  ) {}

  async probe(): Promise<void> {
    await this.sql.query("SELECT 1");
  }

  get circuit(): SqlClient["circuit"] {
    return this.sql.circuit;
  }

  poolStats(): PoolStats | undefined {
    return this.sql.poolStats?.();
  }

  async createOrganization(org: OrganizationRecord): Promise<void> {
    await this.write(`organization "${org.name}" exists`, () =>
      this.sql.query("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)", [org.id, org.name, org.createdAt]),
    );
  }

  async getOrganization(id: string): Promise<OrganizationRecord | undefined> {
    const rows = await this.sql.query<{ id: string; name: string; created_at: Date }>(
      "SELECT id, name, created_at FROM organizations WHERE id = $1",
      [id],
    );
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: new Date(r.created_at) }))[0];
  }

  async listOrganizations(): Promise<OrganizationRecord[]> {
    const rows = await this.sql.query<{ id: string; name: string; created_at: Date }>(
      "SELECT id, name, created_at FROM organizations ORDER BY name",
    );
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: new Date(r.created_at) }));
  }

  async createUser(u: UserRecord): Promise<void> {
    await this.write(`a user with email ${u.email} exists`, () =>
      this.sql.query(
        `INSERT INTO users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [u.id, u.email, u.passwordHash, u.displayName, u.organizationId ?? null, u.roles, u.disabled, u.createdAt, u.lastLogin ?? null],
      ),
    );
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    return (await this.sql.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id])).map(toUser)[0];
  }

  async getUserByEmail(email: string): Promise<UserRecord | undefined> {
    return (await this.sql.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower($1)`, [email])).map(toUser)[0];
  }

  async listUsers(organizationId: string | undefined, afterEmail: string | undefined, limit: number): Promise<UserRecord[]> {
    const rows = await this.sql.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users
        WHERE ($1::uuid IS NULL OR organization_id = $1::uuid) AND ($2::text IS NULL OR lower(email) > lower($2::text))
        ORDER BY lower(email) LIMIT $3`,
      [organizationId ?? null, afterEmail ?? null, limit],
    );
    return rows.map(toUser);
  }

  async countUsers(): Promise<number> {
    const rows = await this.sql.query<{ n: string | number }>("SELECT count(*) AS n FROM users");
    return Number(rows[0]?.n ?? 0);
  }

  async setUserDisabled(id: string, disabled: boolean): Promise<UserRecord | undefined> {
    const rows = await this.sql.query<UserRow>(`UPDATE users SET disabled = $2 WHERE id = $1 RETURNING ${USER_COLUMNS}`, [id, disabled]);
    return rows.map(toUser)[0];
  }

  async recordLogin(id: string, at: Date): Promise<void> {
    await this.sql.query("UPDATE users SET last_login = $2 WHERE id = $1", [id, at]);
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.sql.query("INSERT INTO sessions (id, user_id, expires_at, revoked_at) VALUES ($1, $2, $3, $4)", [
      s.id,
      s.userId,
      s.expiresAt,
      s.revokedAt ?? null,
    ]);
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const rows = await this.sql.query<{ id: string; user_id: string; expires_at: Date; revoked_at: Date | null }>(
      "SELECT id, user_id, expires_at, revoked_at FROM sessions WHERE id = $1",
      [id],
    );
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      expiresAt: new Date(r.expires_at),
      revokedAt: r.revoked_at ? new Date(r.revoked_at) : undefined,
    }))[0];
  }

  async revokeSession(id: string, at: Date): Promise<boolean> {
    const rows = await this.sql.query("UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id", [id, at]);
    return rows.length > 0;
  }

  async liveSessionIds(userId: string): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>("SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()", [userId]);
    return rows.map((r) => r.id);
  }

  async createApiKey(k: ApiKeyRecord): Promise<void> {
    await this.write("an API key with that prefix exists", () =>
      this.sql.query(`INSERT INTO api_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
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
    );
  }

  async getApiKeyByPrefix(prefix: string): Promise<ApiKeyRecord | undefined> {
    return (await this.sql.query<ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE prefix = $1`, [prefix])).map(toKey)[0];
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return (await this.sql.query<ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`, [id])).map(toKey)[0];
  }

  async listApiKeys(userId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.sql.query<ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC, id`, [userId]);
    return rows.map(toKey);
  }

  async revokeApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return (await this.sql.query<ApiKeyRow>(`UPDATE api_keys SET revoked = true WHERE id = $1 RETURNING ${KEY_COLUMNS}`, [id])).map(toKey)[0];
  }

  async roleNames(): Promise<string[]> {
    return (await this.sql.query<{ name: string }>("SELECT name FROM roles ORDER BY name")).map((r) => r.name);
  }

  async rolePermissions(roles: readonly string[]): Promise<string[]> {
    const rows = await this.sql.query<{ permission: string }>(
      "SELECT DISTINCT permission FROM role_permissions WHERE role = ANY($1::text[]) ORDER BY permission",
      [roles],
    );
    return rows.map((r) => r.permission);
  }

  async registerModel(m: ModelRecord): Promise<void> {
    await this.write(`model ${m.name} version ${m.version} is registered`, () =>
      this.sql.query(
        "INSERT INTO model_registry (name, version, model_type, performance_metrics, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)",
        [m.name, m.version, m.modelType, JSON.stringify(m.metrics), m.createdAt],
      ),
    );
  }

  async getModel(name: string, version: string | undefined): Promise<ModelRecord | undefined> {
    const rows = await this.sql.query<ModelRow>(
      `SELECT name, version, model_type, performance_metrics, created_at FROM model_registry
        WHERE name = $1 AND ($2::text IS NULL OR version = $2::text) ORDER BY created_at DESC, id DESC LIMIT 1`,
      [name, version ?? null],
    );
    return rows.map(toModel)[0];
  }

  async listModels(name: string): Promise<ModelRecord[]> {
    const rows = await this.sql.query<ModelRow>(
      "SELECT name, version, model_type, performance_metrics, created_at FROM model_registry WHERE name = $1 ORDER BY created_at DESC, id DESC",
      [name],
    );
    return rows.map(toModel);
  }

  async audit(e: AuditEntry): Promise<void> {
    await this.sql.query("INSERT INTO audit_log (actor, action, target, result, detail) VALUES ($1, $2, $3, $4, $5::jsonb)", [
      e.actor,
      e.action,
      e.target,
      e.result,
      JSON.stringify(e.detail),
    ]);
  }

  /** Runs an insert, turning constraint violations into domain errors. */
  private async write(duplicateMessage: string, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      const code = sqlErrorCode(err);
      if (code === UNIQUE_VIOLATION) throw new AlreadyExistsError(duplicateMessage);
      if (code === FOREIGN_KEY_VIOLATION) throw InvalidArgumentError.field("organization_id", "refers to no organization");
      throw err;
    }
  }
}
