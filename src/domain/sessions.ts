import { randomUUID } from "node:crypto";
import { UnauthenticatedError } from "../errors.js";
import type { AccountStore, SessionStore, UserRecord } from "../ports/user-store.js";
import { cacheKeys } from "./cache.js";
import { CredentialCache } from "./credential-cache.js";
import { PasswordCheck } from "./passwords.js";
import { SessionTokens } from "./session-tokens.js";

export type IssuedSession = { token: string; sessionId: string; userId: string; expiresAt: Date };
export type SessionCheck = { valid: false } | { valid: true; user: UserRecord; sessionId: string; expiresAt: Date };

/** Sessions: a signed JWT naming a sessions row, issued by a password login, revocable at once. */
export class Sessions {
  private readonly tokens: SessionTokens;
  private readonly passwords = new PasswordCheck();

  constructor(
    private readonly store: Pick<AccountStore, "getUser" | "getUserByEmail" | "recordLogin"> & SessionStore,
    jwtSecret: string,
    private readonly ttlSeconds: number,
    /** Where validated credentials are remembered; revoking a session forgets it there. */
    private readonly credentials: CredentialCache = new CredentialCache(undefined),
  ) {
    this.tokens = new SessionTokens(jwtSecret);
  }

  async authenticate(email: string, password: string): Promise<IssuedSession> {
    const user = await this.store.getUserByEmail(email);
    const ok = await this.passwords.matches(user?.passwordHash, password);
    if (!user || !ok || user.disabled) throw new UnauthenticatedError("wrong email or password");
    const now = new Date();
    await this.store.recordLogin(user.id, now);
    return this.issue(user.id, now);
  }

  /** The user and session a token names if its signature and expiry hold (the session row is not asked). */
  claims(token: string): { userId: string; sessionId: string } | undefined {
    return this.tokens.verify(token);
  }

  async validate(token: string): Promise<SessionCheck> {
    const claims = this.tokens.verify(token);
    if (!claims) return { valid: false };
    const { userId, sessionId } = claims;
    const session = await this.store.getSession(sessionId);
    if (!session || session.userId !== userId || session.revokedAt || session.expiresAt.getTime() <= Date.now()) return { valid: false };
    const user = await this.store.getUser(userId);
    if (!user || user.disabled) return { valid: false };
    return { valid: true, user, sessionId, expiresAt: session.expiresAt };
  }

  async refresh(token: string): Promise<IssuedSession> {
    const check = await this.validate(token);
    if (!check.valid) throw new UnauthenticatedError("session is not valid");
    await this.store.revokeSession(check.sessionId, new Date());
    await this.credentials.forget([cacheKeys.session(check.user.id, check.sessionId)]);
    return this.issue(check.user.id, new Date());
  }

  async revoke(token: string): Promise<boolean> {
    const check = await this.validate(token);
    if (!check.valid) return false;
    const revoked = await this.store.revokeSession(check.sessionId, new Date());
    await this.credentials.forget([cacheKeys.session(check.user.id, check.sessionId)]);
    return revoked;
  }

  private async issue(userId: string, now: Date): Promise<IssuedSession> {
    const sessionId = randomUUID();
    const expiresAt = new Date(now.getTime() + this.ttlSeconds * 1000);
    await this.store.createSession({ id: sessionId, userId, expiresAt, revokedAt: undefined });
    const token = this.tokens.sign(userId, sessionId, now, expiresAt);
    return { token, sessionId, userId, expiresAt };
  }
}
