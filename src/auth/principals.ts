import { cacheKeys } from "../domain/cache.js";
import { CREDENTIAL_CACHE_MS, type CredentialCache } from "../domain/credential-cache.js";
import { apiKeyMatches, apiKeyPrefix } from "../domain/api-keys.js";
import type { UserDomain } from "../domain/users.js";
import { grants } from "./permissions.js";
import type { Principal } from "./principal.js";

/**
 * Who is calling, from the credential an RPC carries, for every authenticated call. Signatures and
 * expiry are checked locally; whether the session or key is still live, and its permissions, come
 * from the credential cache, and only on a miss from PostgreSQL. Revoking or disabling forgets the
 * cached entry (Accounts, Sessions, ApiKeys), so it takes effect at once.
 */
export class Principals {
  constructor(
    private readonly users: UserDomain,
    private readonly credentials: CredentialCache,
  ) {}

  async forToken(token: string): Promise<Principal | undefined> {
    const claims = this.users.sessions.claims(token);
    if (!claims) return undefined;
    const key = cacheKeys.session(claims.userId, claims.sessionId);
    const cached = await this.credentials.recall<{ permissions: string[] }>(key);
    if (cached) return { userId: claims.userId, permissions: cached.permissions, via: "session", subject: `user:${claims.userId}` };
    const check = await this.users.sessions.validate(token);
    if (!check.valid) return undefined;
    const permissions = await this.users.accounts.rolePermissions(check.user.roles);
    await this.credentials.remember(key, { permissions }, Math.min(check.expiresAt.getTime() - Date.now(), CREDENTIAL_CACHE_MS));
    return { userId: check.user.id, permissions, via: "session", subject: `user:${check.user.id}` };
  }

  /** The caller behind an API key secret; its scopes narrow the owner's permissions. */
  async forApiKey(secret: string): Promise<Principal | undefined> {
    const prefix = apiKeyPrefix(secret);
    if (!prefix) return undefined;
    type Remembered = { userId: string; hash: string; permissions: string[]; expiresAtMs: number };
    let entry = await this.credentials.recall<Remembered>(cacheKeys.apiKey(prefix));
    if (!entry) {
      const key = await this.users.apiKeys.verify(secret);
      const owner = key && (await this.users.accounts.findUser(key.userId));
      if (!key || !owner || owner.disabled) return undefined;
      const rolePermissions = await this.users.accounts.rolePermissions(owner.roles);
      const permissions = key.scopes.length === 0 ? rolePermissions : key.scopes.filter((scope) => grants(rolePermissions, scope));
      entry = { userId: key.userId, hash: key.secretHash, permissions, expiresAtMs: key.expiresAt?.getTime() ?? 0 };
      await this.credentials.remember(cacheKeys.apiKey(prefix), entry, CREDENTIAL_CACHE_MS);
    }
    if (entry.expiresAtMs !== 0 && entry.expiresAtMs <= Date.now()) return undefined;
    if (!apiKeyMatches(entry.hash, secret)) return undefined;
    return { userId: entry.userId, permissions: entry.permissions, via: "api-key", subject: `api-key:${prefix}` };
  }
}
