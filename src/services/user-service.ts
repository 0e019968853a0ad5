import type { ServiceImpl } from "@connectrpc/connect";
import type { UserService } from "../../gen/neliti/dataplane/v1/user_pb.js";
import { CLIENT_ADDRESS } from "../server/context-keys.js";
import type { LoginLimiter } from "../auth/login-limiter.js";
import { UnauthenticatedError } from "../errors.js";
import type { ModelRegistry } from "../domain/model-registry.js";
import type { IssuedSession } from "../domain/sessions.js";
import type { UserDomain } from "../domain/users.js";
import type { ApiKeyRecord, ModelRecord, OrganizationRecord, UserRecord } from "../ports/user-store.js";

const ms = (d: Date | undefined) => BigInt(d?.getTime() ?? 0);

const toOrg = (o: OrganizationRecord) => ({ id: o.id, name: o.name, createdAtMs: ms(o.createdAt) });

const toUser = (u: UserRecord) => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  organizationId: u.organizationId ?? "",
  roles: u.roles,
  disabled: u.disabled,
  createdAtMs: ms(u.createdAt),
  lastLoginMs: ms(u.lastLogin),
});

const toKey = (k: ApiKeyRecord) => ({
  id: k.id,
  prefix: k.prefix,
  userId: k.userId,
  name: k.name,
  scopes: k.scopes,
  expiresAtMs: ms(k.expiresAt),
  revoked: k.revoked,
  createdAtMs: ms(k.createdAt),
});

const toModel = (m: ModelRecord) => ({
  name: m.name,
  version: m.version,
  modelType: m.modelType,
  performanceMetrics: m.metrics,
  createdAtMs: ms(m.createdAt),
});

const toSession = (s: IssuedSession) => ({ token: s.token, sessionId: s.sessionId, userId: s.userId, expiresAtMs: ms(s.expiresAt) });

/** Thin handlers: proto <-> UserDomain. */
export function userService(users: UserDomain, models: ModelRegistry, limiter: LoginLimiter): ServiceImpl<typeof UserService> {
  return {
    async createOrganization(req) {
      return { organization: toOrg(await users.accounts.createOrganization(req.name)) };
    },
    async listOrganizations() {
      return { organizations: (await users.accounts.listOrganizations()).map(toOrg) };
    },
    async createUser(req) {
      const user = await users.accounts.createUser({
        email: req.email,
        password: req.password,
        displayName: req.displayName,
        organizationId: req.organizationId || undefined,
        roles: req.roles,
      });
      return { user: toUser(user) };
    },
    async getUser(req) {
      return { user: toUser(await users.accounts.getUser(req.id)) };
    },
    async listUsers(req) {
      const page = await users.accounts.listUsers(req.organizationId || undefined, req.pageSize || 100, req.pageToken);
      return { users: page.users.map(toUser), nextPageToken: page.next };
    },
    async disableUser(req) {
      return { user: toUser(await users.accounts.disableUser(req.id)) };
    },
    async authenticate(req, ctx) {
      const address = ctx.values.get(CLIENT_ADDRESS);
      limiter.check(req.email, address);
      try {
        const session = await users.sessions.authenticate(req.email, req.password);
        limiter.succeed(req.email);
        return { session: toSession(session) };
      } catch (err) {
        if (err instanceof UnauthenticatedError) limiter.fail(req.email, address);
        throw err;
      }
    },
    async validateSession(req) {
      const check = await users.sessions.validate(req.token);
      return check.valid ? { valid: true, user: toUser(check.user), expiresAtMs: ms(check.expiresAt) } : { valid: false };
    },
    async refreshSession(req) {
      return { session: toSession(await users.sessions.refresh(req.token)) };
    },
    async revokeSession(req) {
      return { revoked: await users.sessions.revoke(req.token) };
    },
    async createApiKey(req) {
      const { key, secret } = await users.apiKeys.create(req.userId, req.name, req.scopes, Number(req.ttlSeconds));
      return { apiKey: toKey(key), secret };
    },
    async listApiKeys(req) {
      return { apiKeys: (await users.apiKeys.list(req.userId)).map(toKey) };
    },
    async revokeApiKey(req) {
      return { apiKey: toKey(await users.apiKeys.revoke(req.id)) };
    },
    async registerModel(req) {
      return { model: toModel(await models.register(req.name, req.version, req.modelType, req.performanceMetrics ?? {})) };
    },
    async getModel(req) {
      return { model: toModel(await models.get(req.name, req.version || undefined)) };
    },
    async listModels(req) {
      return { models: (await models.list(req.name)).map(toModel) };
    },
  };
}
