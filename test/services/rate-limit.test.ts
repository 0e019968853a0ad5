import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CacheService } from "../../gen/neliti/dataplane/v1/cache_pb.js";
import { UserService } from "../../gen/neliti/dataplane/v1/user_pb.js";
import { RETRY_AFTER_HEADER } from "../../src/errors.js";
import { inMemoryApp, type TestApp } from "../harness/app.js";

const PER_SECOND = 5;

describe("rate limits per API key (RATE_LIMIT_PER_KEY_RPS)", () => {
  let t: TestApp;
  const keys: string[] = [];

  beforeAll(async () => {
    t = await inMemoryApp({
      AUTH_ENABLED: "true",
      AUTH_JWT_SECRET: "r".repeat(32),
      BOOTSTRAP_ADMIN_EMAIL: "root@example.com",
      BOOTSTRAP_ADMIN_PASSWORD: "bootstrap password 1",
      RATE_LIMIT_PER_KEY_RPS: String(PER_SECOND),
    });
    const users = t.client(UserService);
    const root = await users.authenticate({ email: "root@example.com", password: "bootstrap password 1" });
    const asRoot = { headers: { authorization: `Bearer ${root.session!.token}` } };
    for (const name of ["bot-a", "bot-b"]) keys.push((await users.createApiKey({ userId: root.session!.userId, name }, asRoot)).secret);
  });
  afterAll(async () => t?.close());

  const get = (key: string) => t.client(CacheService).get({ key: "tick:EURUSD:icmarkets" }, { headers: { "x-api-key": key } });

  it("answers RESOURCE_EXHAUSTED with retry-after-ms past the limit, counting each key on its own", async () => {
    for (let i = 0; i < PER_SECOND; i++) await get(keys[0]!);
    const refused = await get(keys[0]!).catch((e: unknown) => ConnectError.from(e));
    expect(refused).toBeInstanceOf(ConnectError);
    const err = refused as ConnectError;
    expect(err.code).toBe(Code.ResourceExhausted);
    const retryAfter = Number(err.metadata.get(RETRY_AFTER_HEADER));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(1000);

    // Another key has its own allowance.
    await expect(get(keys[1]!)).resolves.toBeDefined();

    // After the advertised wait, the first key is served again.
    await new Promise((r) => setTimeout(r, retryAfter + 20));
    await expect(get(keys[0]!)).resolves.toBeDefined();
  });

  it("refuses an unknown key as UNAUTHENTICATED, not as rate limited", async () => {
    const err = await get("nk_unknown_0000000000000000000000000000").catch((e: unknown) => ConnectError.from(e));
    expect((err as ConnectError).code).toBe(Code.Unauthenticated);
  });
});
