import type { AccountStore, OrganizationRecord, OrganizationStore, RoleStore, UserRecord } from "../../ports/user-store.js";
import { explainConstraints, type SqlClient } from "./sql-client.js";

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

type OrganizationRow = { id: string; name: string; created_at: Date };

const USER_COLUMNS = "id, email, password_hash, display_name, organization_id, roles, disabled, created_at, last_login";

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

const toOrganization = (r: OrganizationRow): OrganizationRecord => ({ id: r.id, name: r.name, createdAt: new Date(r.created_at) });

/** Organizations, users and roles: the rows that say who someone is and what their roles grant. */
export function sqlAccounts(sql: SqlClient): OrganizationStore & AccountStore & RoleStore {
  return {
    async createOrganization(org) {
      await explainConstraints(
        () => sql.query("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)", [org.id, org.name, org.createdAt]),
        `organization "${org.name}" exists`,
      );
    },

    async getOrganization(id) {
      return (await sql.query<OrganizationRow>("SELECT id, name, created_at FROM organizations WHERE id = $1", [id])).map(toOrganization)[0];
    },

    async listOrganizations() {
      return (await sql.query<OrganizationRow>("SELECT id, name, created_at FROM organizations ORDER BY name")).map(toOrganization);
    },

    async createUser(u) {
      await explainConstraints(
        () =>
          sql.query(`INSERT INTO users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
            u.id,
            u.email,
            u.passwordHash,
            u.displayName,
            u.organizationId ?? null,
            u.roles,
            u.disabled,
            u.createdAt,
            u.lastLogin ?? null,
          ]),
        `a user with email ${u.email} exists`,
        { field: "organization_id", message: "refers to no organization" },
      );
    },

    async getUser(id) {
      return (await sql.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id])).map(toUser)[0];
    },

    async getUserByEmail(email) {
      return (await sql.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower($1)`, [email])).map(toUser)[0];
    },

    async listUsers(organizationId, afterEmail, limit) {
      const rows = await sql.query<UserRow>(
        `SELECT ${USER_COLUMNS} FROM users
          WHERE ($1::uuid IS NULL OR organization_id = $1::uuid) AND ($2::text IS NULL OR lower(email) > lower($2::text))
          ORDER BY lower(email) LIMIT $3`,
        [organizationId ?? null, afterEmail ?? null, limit],
      );
      return rows.map(toUser);
    },

    async countUsers() {
      const rows = await sql.query<{ n: string | number }>("SELECT count(*) AS n FROM users");
      return Number(rows[0]?.n ?? 0);
    },

    async setUserDisabled(id, disabled) {
      return (await sql.query<UserRow>(`UPDATE users SET disabled = $2 WHERE id = $1 RETURNING ${USER_COLUMNS}`, [id, disabled])).map(toUser)[0];
    },

    async recordLogin(id, at) {
      await sql.query("UPDATE users SET last_login = $2 WHERE id = $1", [id, at]);
    },

    async roleNames() {
      return (await sql.query<{ name: string }>("SELECT name FROM roles ORDER BY name")).map((r) => r.name);
    },

    async rolePermissions(roles) {
      const rows = await sql.query<{ permission: string }>(
        "SELECT DISTINCT permission FROM role_permissions WHERE role = ANY($1::text[]) ORDER BY permission",
        [roles],
      );
      return rows.map((r) => r.permission);
    },
  };
}
