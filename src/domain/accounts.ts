import { randomUUID } from "node:crypto";
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import type { AccountStore, ApiKeyStore, OrganizationRecord, OrganizationStore, RoleStore, SessionStore, UserRecord } from "../ports/user-store.js";
import { cacheKeys } from "./cache.js";
import { CredentialCache } from "./credential-cache.js";
import { hashPassword } from "./passwords.js";

/** What accounts read and write: disabling a user also looks up the credentials to forget. */
export type AccountsStore = OrganizationStore & AccountStore & RoleStore & Pick<SessionStore, "liveSessionIds"> & Pick<ApiKeyStore, "listApiKeys">;

/** Organizations and users (passwords as argon2id hashes). */
export class Accounts {
  constructor(
    private readonly store: AccountsStore,
    /** Where validated credentials are remembered; disabling a user forgets theirs there. */
    private readonly credentials: CredentialCache = new CredentialCache(undefined),
  ) {}

  async createOrganization(name: string): Promise<OrganizationRecord> {
    const org = { id: randomUUID(), name, createdAt: new Date() };
    await this.store.createOrganization(org);
    return org;
  }

  listOrganizations(): Promise<OrganizationRecord[]> {
    return this.store.listOrganizations();
  }

  async createUser(input: { email: string; password: string; displayName: string; organizationId?: string; roles: string[] }): Promise<UserRecord> {
    const known = new Set(await this.store.roleNames());
    input.roles.forEach((r, i) => {
      if (!known.has(r)) throw InvalidArgumentError.field(`roles[${i}]`, `unknown role ${r} (known: ${[...known].join(", ")})`, i);
    });
    if (input.organizationId && !(await this.store.getOrganization(input.organizationId))) {
      throw InvalidArgumentError.field("organization_id", "refers to no organization");
    }
    const user: UserRecord = {
      id: randomUUID(),
      email: input.email,
      passwordHash: await hashPassword(input.password),
      displayName: input.displayName,
      organizationId: input.organizationId,
      roles: [...new Set(input.roles)],
      disabled: false,
      createdAt: new Date(),
      lastLogin: undefined,
    };
    await this.store.createUser(user);
    return user;
  }

  async getUser(id: string): Promise<UserRecord> {
    const u = await this.store.getUser(id);
    if (!u) throw new NotFoundError(`user ${id} not found`);
    return u;
  }

  /** The user, or undefined when there is none (getUser answers NOT_FOUND instead). */
  findUser(id: string): Promise<UserRecord | undefined> {
    return this.store.getUser(id);
  }

  getUserByEmail(email: string): Promise<UserRecord | undefined> {
    return this.store.getUserByEmail(email);
  }

  async listUsers(organizationId: string | undefined, pageSize: number, pageToken: string): Promise<{ users: UserRecord[]; next: string }> {
    let after: string | undefined;
    if (pageToken !== "") {
      after = Buffer.from(pageToken, "base64url").toString("utf8");
      // Only what listUsers issued: base64url of an email, which decodes and re-encodes to itself.
      if (after === "" || after.includes("\u0000") || Buffer.from(after, "utf8").toString("base64url") !== pageToken) {
        throw InvalidArgumentError.field("page_token", "is not a token from a previous page");
      }
    }
    const users = await this.store.listUsers(organizationId, after, pageSize + 1);
    const page = users.slice(0, pageSize);
    const next = users.length > pageSize ? Buffer.from(page.at(-1)!.email.toLowerCase(), "utf8").toString("base64url") : "";
    return { users: page, next };
  }

  async disableUser(id: string): Promise<UserRecord> {
    const u = await this.store.setUserDisabled(id, true);
    if (!u) throw new NotFoundError(`user ${id} not found`);
    // Takes effect at once: forget every credential of the user that may be remembered.
    const sessions = await this.store.liveSessionIds(id);
    const keys = await this.store.listApiKeys(id);
    await this.credentials.forget([...sessions.map((sid) => cacheKeys.session(id, sid)), ...keys.map((k) => cacheKeys.apiKey(k.prefix))]);
    return u;
  }

  /** The permissions the roles grant (role_permissions). */
  rolePermissions(roles: readonly string[]): Promise<string[]> {
    return this.store.rolePermissions(roles);
  }
}
