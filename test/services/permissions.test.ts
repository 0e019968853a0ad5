import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { SERVICES } from "../../src/app.js";
import { grants, METHOD_PERMISSIONS } from "../../src/auth/permissions.js";
import { UserService } from "../../gen/neliti/dataplane/v1/user_pb.js";
import { inMemoryApp, type TestApp } from "../harness/app.js";
import { backendUrl, uniqueSuffix } from "../harness/backends.js";
import { createTempDatabase } from "../harness/postgres.js";

/** Role grants as seeded by migrations/postgres/0001_users.up.sql. */
const ROLE_GRANTS: Record<string, string[]> = {
  admin: ["*:*"],
  trader: ["ticks:read", "ticks:write", "cache:read", "cache:write", "streams:read", "streams:write", "vectors:read", "vectors:write", "graph:read", "graph:write", "models:read", "models:write"],
  reader: ["ticks:read", "cache:read", "streams:read", "vectors:read", "graph:read", "models:read"],
};

/** Calls any method with an empty request and returns the gRPC code it ends with (Ok if none). */
async function call(service: DescService, method: DescMethod, headers: HeadersInit, t: TestApp): Promise<Code | "ok"> {
  const client = t.client(service) as unknown as Record<string, (...args: unknown[]) => unknown>;
  const fn = client[method.localName]!;
  const ac = new AbortController();
  const options = { headers, signal: ac.signal, timeoutMs: 5000 };
  async function* none(): AsyncIterable<object> {}
  try {
    switch (method.methodKind) {
      case "unary":
        await fn({}, options);
        break;
      case "client_streaming":
        await fn(none(), options);
        break;
      case "server_streaming":
      case "bidi_streaming": {
        const it = fn(method.methodKind === "bidi_streaming" ? none() : {}, options) as AsyncIterable<unknown>;
        const pending = (async () => {
          for await (const _ of it) break;
        })();
        // A live stream that passed auth just waits: stop it after a moment.
        setTimeout(() => ac.abort(), 300);
        await pending;
      }
    }
    return "ok";
  } catch (err) {
    const code = ConnectError.from(err).code;
    return code === Code.Canceled ? "ok" : code;
  }
}

/**
 * The matrix runs on the embedded stores, and again on the real PostgreSQL (a database of its
 * own) and Redis (a key namespace of its own) when they are configured.
 */
function permissionMatrix(title: string, backendEnv: () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>): void {
describe(title, () => {
  let t: TestApp;
  let cleanupBackends: (() => Promise<void>) | undefined;
  const headers: Record<string, HeadersInit> = {};
  let otherUserId = "";

  beforeAll(async () => {
    const backends = await backendEnv();
    cleanupBackends = backends.cleanup;
    t = await inMemoryApp({ ...backends.env, AUTH_ENABLED: "true", AUTH_JWT_SECRET: "m".repeat(32), BOOTSTRAP_ADMIN_EMAIL: "root@example.com", BOOTSTRAP_ADMIN_PASSWORD: "bootstrap password 1" });
    const users = t.client(UserService);
    const root = await users.authenticate({ email: "root@example.com", password: "bootstrap password 1" });
    const asRoot = { headers: { authorization: `Bearer ${root.session!.token}` } };
    for (const role of ["admin", "trader", "reader"]) {
      const { user } = await users.createUser({ email: `${role}@example.com`, password: `password for ${role}`, roles: [role] }, asRoot);
      const s = await users.authenticate({ email: `${role}@example.com`, password: `password for ${role}` });
      headers[role] = { authorization: `Bearer ${s.session!.token}` };
      otherUserId = user!.id;
    }
    const key = await users.createApiKey({ userId: otherUserId, name: "reader-key" }, asRoot);
    headers["reader-api-key"] = { "x-api-key": key.secret };
    headers.anonymous = {};
    headers.forged = { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl" };
  });
  afterAll(async () => {
    await t?.close();
    await cleanupBackends?.();
  });

  const methods = [...SERVICES, Health].flatMap((s) => s.methods.map((m) => ({ service: s, method: m, name: `${s.typeName}/${m.name}` })));

  it("lists a permission for every RPC the server offers", () => {
    for (const { name } of methods) expect(METHOD_PERMISSIONS[name], name).toBeDefined();
  });

  for (const who of ["admin", "trader", "reader", "reader-api-key", "anonymous", "forged"]) {
    it(`${who}: allowed exactly where the role grants the method's permission`, async () => {
      const mismatches: string[] = [];
      for (const { service, method, name } of methods) {
        const rule = METHOD_PERMISSIONS[name]!;
        const role = who === "reader-api-key" ? "reader" : who;
        const granted = ROLE_GRANTS[role] ?? [];
        // Self-service methods are called about nobody in particular here, so only admins pass.
        const expected =
          rule === "open" ? "allowed" : granted.length === 0 ? "unauthenticated" : grants(granted, rule === "self-or-users:admin" ? "users:admin" : rule) ? "allowed" : "denied";
        const code = await call(service, method, headers[who]!, t);
        const got = code === Code.Unauthenticated ? "unauthenticated" : code === Code.PermissionDenied ? "denied" : "allowed";
        if (got !== expected) mismatches.push(`${name}: expected ${expected}, got ${got} (${code === "ok" ? "ok" : Code[code]})`);
      }
      expect(mismatches).toEqual([]);
    });
  }

  it("a user may manage their own API keys but not someone else's", async () => {
    const users = t.client(UserService) as Client<typeof UserService>;
    const me = await users.validateSession({ token: String((headers.reader as Record<string, string>).authorization).slice(7) });
    await expect(users.listApiKeys({ userId: me.user!.id }, { headers: headers.reader })).resolves.toBeDefined();
    const err = await users.listApiKeys({ userId: "00000000-0000-4000-8000-000000000000" }, { headers: headers.reader }).catch((e: unknown) => e);
    expect(ConnectError.from(err).code).toBe(Code.PermissionDenied);
  });

  it("revoking a session and disabling a user take effect at once", async () => {
    const users = t.client(UserService);
    const root = await users.authenticate({ email: "root@example.com", password: "bootstrap password 1" });
    const asRoot = { headers: { authorization: `Bearer ${root.session!.token}` } };
    const { user } = await users.createUser({ email: "temp@example.com", password: "temporary password", roles: ["reader"] }, asRoot);
    const s = await users.authenticate({ email: "temp@example.com", password: "temporary password" });
    const as = { headers: { authorization: `Bearer ${s.session!.token}` } };
    await users.getModel({ name: "none" }, as).catch((e: unknown) => expect(ConnectError.from(e).code).toBe(Code.NotFound));
    await users.disableUser({ id: user!.id }, asRoot);
    const after = await users.getModel({ name: "none" }, as).catch((e: unknown) => e);
    expect(ConnectError.from(after).code).toBe(Code.Unauthenticated);

    const s2 = await users.authenticate({ email: "reader@example.com", password: "password for reader" });
    const as2 = { headers: { authorization: `Bearer ${s2.session!.token}` } };
    await users.getModel({ name: "none" }, as2).catch((e: unknown) => expect(ConnectError.from(e).code).toBe(Code.NotFound));
    await users.revokeSession({ token: s2.session!.token });
    const revoked = await users.getModel({ name: "none" }, as2).catch((e: unknown) => e);
    expect(ConnectError.from(revoked).code).toBe(Code.Unauthenticated);
  });

  it("rate-limits failed logins per account", async () => {
    const users = t.client(UserService);
    const codes: Code[] = [];
    for (let i = 0; i < 7; i++) {
      const err = await users.authenticate({ email: "trader@example.com", password: "wrong password!" }).catch((e: unknown) => e);
      codes.push(ConnectError.from(err).code);
    }
    expect(codes.slice(0, 5)).toEqual(Array(5).fill(Code.Unauthenticated));
    expect(codes.slice(5)).toEqual([Code.ResourceExhausted, Code.ResourceExhausted]);
  });
});
}

permissionMatrix("permission matrix: every RPC with each role (embedded stores)", async () => ({ env: {}, cleanup: async () => undefined }));

const postgresUrl = backendUrl("postgres");
const redisUrl = backendUrl("redis");
if (postgresUrl && redisUrl) {
  permissionMatrix("permission matrix: every RPC with each role (real PostgreSQL and Redis)", async () => {
    const db = await createTempDatabase(postgresUrl);
    return { env: { POSTGRES_URL: db.url, REDIS_URL: redisUrl, CACHE_NAMESPACE: `perm:${uniqueSuffix()}:` }, cleanup: () => db.drop() };
  });
}
