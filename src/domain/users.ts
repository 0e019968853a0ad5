import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import argon2 from "argon2";
import { InvalidArgumentError, NotFoundError, UnauthenticatedError } from "../errors.js";
import { cacheKeys } from "./cache.js";
import { CredentialCache } from "./credential-cache.js";
import { SessionTokens } from "./session-tokens.js";
import type { ApiKeyRecord, OrganizationRecord, UserDomainStore, UserRecord } from "../ports/user-store.js";

/** argon2id parameters (OWASP's first recommendation: 19 MiB, 2 passes, 1 lane). */
export const ARGON2_PARAMS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export type IssuedSession = { token: string; sessionId: string; userId: string; expiresAt: Date };
export type SessionCheck = { valid: false } | { valid: true; user: UserRecord; sessionId: string; expiresAt: Date };

const API_KEY_PREFIX_BYTES = 6;

/**
 * Organizations, users (argon2id), sessions (signed JWTs backed by a sessions row) and API keys.
 * Who is calling an RPC is resolved from these in auth/principals.ts; models live in model-registry.ts.
 */
export class UserDomain {
  private readonly tokens: SessionTokens;
  /** A real hash to verify against when the email is unknown, so timing does not reveal accounts. */
  private readonly dummyHash: Promise<string>;

  constructor(
    readonly store: UserDomainStore,
    jwtSecret: string,
    private readonly sessionTtlSeconds: number,
    /** Where validated credentials are remembered; revoking here forgets them there. */
    private readonly credentials: CredentialCache = new CredentialCache(undefined),
  ) {
    this.tokens = new SessionTokens(jwtSecret);
    this.dummyHash = argon2.hash(randomBytes(16).toString("hex"), ARGON2_PARAMS);
  }

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
      passwordHash: await argon2.hash(input.password, ARGON2_PARAMS),
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
    await this.credentials.forget([...sessions.map((sid) => sessionKey(id, sid)), ...keys.map((k) => apiKeyKey(k.prefix))]);
    return u;
  }

  async authenticate(email: string, password: string): Promise<IssuedSession> {
    const user = await this.store.getUserByEmail(email);
    // Verify even for an unknown email, so the answer takes as long either way.
    const ok = await argon2.verify(user?.passwordHash ?? (await this.dummyHash), password);
    if (!user || !ok || user.disabled) throw new UnauthenticatedError("wrong email or password");
    const now = new Date();
    await this.store.recordLogin(user.id, now);
    return this.issueSession(user.id, now);
  }

  private async issueSession(userId: string, now: Date): Promise<IssuedSession> {
    const sessionId = randomUUID();
    const expiresAt = new Date(now.getTime() + this.sessionTtlSeconds * 1000);
    await this.store.createSession({ id: sessionId, userId, expiresAt, revokedAt: undefined });
    const token = this.tokens.sign(userId, sessionId, now, expiresAt);
    return { token, sessionId, userId, expiresAt };
  }

  /** The user and session a token names if its signature and expiry hold (the session row is not asked). */
  sessionClaims(token: string): { userId: string; sessionId: string } | undefined {
    return this.tokens.verify(token);
  }

  async validateSession(token: string): Promise<SessionCheck> {
    const claims = this.tokens.verify(token);
    if (!claims) return { valid: false };
    const { userId, sessionId } = claims;
    const session = await this.store.getSession(sessionId);
    if (!session || session.userId !== userId || session.revokedAt || session.expiresAt.getTime() <= Date.now()) return { valid: false };
    const user = await this.store.getUser(userId);
    if (!user || user.disabled) return { valid: false };
    return { valid: true, user, sessionId, expiresAt: session.expiresAt };
  }

  async refreshSession(token: string): Promise<IssuedSession> {
    const check = await this.validateSession(token);
    if (!check.valid) throw new UnauthenticatedError("session is not valid");
    await this.store.revokeSession(check.sessionId, new Date());
    await this.credentials.forget([sessionKey(check.user.id, check.sessionId)]);
    return this.issueSession(check.user.id, new Date());
  }

  async revokeSession(token: string): Promise<boolean> {
    const check = await this.validateSession(token);
    if (!check.valid) return false;
    const revoked = await this.store.revokeSession(check.sessionId, new Date());
    await this.credentials.forget([sessionKey(check.user.id, check.sessionId)]);
    return revoked;
  }

  async createApiKey(userId: string, name: string, scopes: string[], ttlSeconds: number): Promise<{ key: ApiKeyRecord; secret: string }> {
    await this.getUser(userId);
    const prefix = randomBytes(API_KEY_PREFIX_BYTES).toString("hex");
    const secret = `nk_${prefix}_${randomBytes(32).toString("base64url")}`;
    const now = new Date();
    const key: ApiKeyRecord = {
      id: randomUUID(),
      userId,
      name,
      prefix,
      secretHash: sha256(secret),
      scopes: [...new Set(scopes)],
      expiresAt: ttlSeconds > 0 ? new Date(now.getTime() + ttlSeconds * 1000) : undefined,
      revoked: false,
      createdAt: now,
    };
    await this.store.createApiKey(key);
    return { key, secret };
  }

  /**
   * The key's record if `secret` is a live key. API key secrets are 256 random bits, so a fast
   * hash (SHA-256) is enough; compared in constant time.
   */
  async verifyApiKey(secret: string): Promise<ApiKeyRecord | undefined> {
    const prefix = apiKeyPrefix(secret);
    if (!prefix) return undefined;
    const key = await this.store.getApiKeyByPrefix(prefix);
    if (!key || key.revoked || (key.expiresAt && key.expiresAt.getTime() <= Date.now())) return undefined;
    return apiKeyMatches(key.secretHash, secret) ? key : undefined;
  }

  async listApiKeys(userId: string): Promise<ApiKeyRecord[]> {
    await this.getUser(userId);
    return this.store.listApiKeys(userId);
  }

  async revokeApiKey(id: string): Promise<ApiKeyRecord> {
    const key = await this.store.revokeApiKey(id);
    if (!key) throw new NotFoundError(`API key ${id} not found`);
    await this.credentials.forget([apiKeyKey(key.prefix)]);
    return key;
  }
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
/** Whether `secret` hashes to the stored hex SHA-256, compared in constant time. */
export function apiKeyMatches(storedHex: string, secret: string): boolean {
  const a = Buffer.from(storedHex, "hex");
  const b = Buffer.from(sha256(secret), "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

const API_KEY_FORMAT = /^nk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;
/** The public prefix of an API key secret, or undefined when it is not one. */
export const apiKeyPrefix = (secret: string) => API_KEY_FORMAT.exec(secret)?.[1];
const sessionKey = cacheKeys.session;
const apiKeyKey = cacheKeys.apiKey;
