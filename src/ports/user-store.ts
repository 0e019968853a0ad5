import type { JsonObject } from "@bufbuild/protobuf";
import type { BackendProbe } from "./backend.js";

export type OrganizationRecord = { id: string; name: string; createdAt: Date };

export type UserRecord = {
  id: string;
  email: string;
  passwordHash: string;
  displayName: string;
  organizationId: string | undefined;
  roles: string[];
  disabled: boolean;
  createdAt: Date;
  lastLogin: Date | undefined;
};

export type ApiKeyRecord = {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  secretHash: string;
  scopes: string[];
  expiresAt: Date | undefined;
  revoked: boolean;
  createdAt: Date;
};

export type SessionRecord = { id: string; userId: string; expiresAt: Date; revokedAt: Date | undefined };

export type ModelRecord = { name: string; version: string; modelType: string; metrics: JsonObject; createdAt: Date };

export type AuditEntry = { actor: string; action: string; target: string; result: string; detail: JsonObject };

/*
 * Relational storage of the user domain, one interface per concern so each consumer names what it
 * uses. Unique violations surface as AlreadyExistsError; missing rows as undefined (the domain
 * decides whether that is NOT_FOUND).
 */

export interface OrganizationStore {
  createOrganization(org: OrganizationRecord): Promise<void>;
  getOrganization(id: string): Promise<OrganizationRecord | undefined>;
  listOrganizations(): Promise<OrganizationRecord[]>;
}

export interface AccountStore {
  createUser(user: UserRecord): Promise<void>;
  getUser(id: string): Promise<UserRecord | undefined>;
  getUserByEmail(email: string): Promise<UserRecord | undefined>;
  /** Users ordered by email, after `afterEmail` when given. */
  listUsers(organizationId: string | undefined, afterEmail: string | undefined, limit: number): Promise<UserRecord[]>;
  countUsers(): Promise<number>;
  setUserDisabled(id: string, disabled: boolean): Promise<UserRecord | undefined>;
  recordLogin(id: string, at: Date): Promise<void>;
}

export interface RoleStore {
  /** Names of the roles that exist. */
  roleNames(): Promise<string[]>;
  /** Permissions granted by each role (from role_permissions). */
  rolePermissions(roles: readonly string[]): Promise<string[]>;
}

export interface SessionStore {
  createSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Returns false if the session was already revoked or does not exist. */
  revokeSession(id: string, at: Date): Promise<boolean>;
  /** Ids of the user's sessions that are not revoked or expired. */
  liveSessionIds(userId: string): Promise<string[]>;
}

export interface ApiKeyStore {
  createApiKey(key: ApiKeyRecord): Promise<void>;
  getApiKeyByPrefix(prefix: string): Promise<ApiKeyRecord | undefined>;
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(userId: string): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string): Promise<ApiKeyRecord | undefined>;
}

export interface ModelStore {
  registerModel(model: ModelRecord): Promise<void>;
  getModel(name: string, version: string | undefined): Promise<ModelRecord | undefined>;
  listModels(name: string): Promise<ModelRecord[]>;
}

export interface AuditLog {
  audit(entry: AuditEntry): Promise<void>;
}

/** What the users domain reads and writes. */
export type UserDomainStore = OrganizationStore & AccountStore & RoleStore & SessionStore & ApiKeyStore;

/** All of it, on one database: what a backend provides and the app wires. */
export interface UserStore extends BackendProbe, UserDomainStore, ModelStore, AuditLog {}
