import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { NotFoundError } from "../errors.js";
import type { AccountStore, ApiKeyRecord, ApiKeyStore } from "../ports/user-store.js";
import { cacheKeys } from "./cache.js";
import { CredentialCache } from "./credential-cache.js";

const API_KEY_PREFIX_BYTES = 6;
const API_KEY_FORMAT = /^nk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Whether `secret` hashes to the stored hex SHA-256, compared in constant time. */
export function apiKeyMatches(storedHex: string, secret: string): boolean {
  const a = Buffer.from(storedHex, "hex");
  const b = Buffer.from(sha256(secret), "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The public prefix of an API key secret, or undefined when it is not one. */
export const apiKeyPrefix = (secret: string) => API_KEY_FORMAT.exec(secret)?.[1];

/**
 * API keys: `nk_<prefix>_<secret>`, stored as the prefix and a SHA-256 of the whole (the secret is
 * 256 random bits, so a fast hash is enough), with scopes and an optional expiry.
 */
export class ApiKeys {
  constructor(
    private readonly store: Pick<AccountStore, "getUser"> & ApiKeyStore,
    /** Where validated credentials are remembered; revoking a key forgets it there. */
    private readonly credentials: CredentialCache = new CredentialCache(undefined),
  ) {}

  async create(userId: string, name: string, scopes: string[], ttlSeconds: number): Promise<{ key: ApiKeyRecord; secret: string }> {
    await this.requireUser(userId);
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

  /** The key's record if `secret` is a live key. */
  async verify(secret: string): Promise<ApiKeyRecord | undefined> {
    const prefix = apiKeyPrefix(secret);
    if (!prefix) return undefined;
    const key = await this.store.getApiKeyByPrefix(prefix);
    if (!key || key.revoked || (key.expiresAt && key.expiresAt.getTime() <= Date.now())) return undefined;
    return apiKeyMatches(key.secretHash, secret) ? key : undefined;
  }

  async list(userId: string): Promise<ApiKeyRecord[]> {
    await this.requireUser(userId);
    return this.store.listApiKeys(userId);
  }

  async revoke(id: string): Promise<ApiKeyRecord> {
    const key = await this.store.revokeApiKey(id);
    if (!key) throw new NotFoundError(`API key ${id} not found`);
    await this.credentials.forget([cacheKeys.apiKey(key.prefix)]);
    return key;
  }

  private async requireUser(id: string): Promise<void> {
    if (!(await this.store.getUser(id))) throw new NotFoundError(`user ${id} not found`);
  }
}
