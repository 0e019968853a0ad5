import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelRegistry } from "../../src/domain/model-registry.js";
import { type UserDomain, userDomain } from "../../src/domain/users.js";
import { AlreadyExistsError, InvalidArgumentError, NotFoundError, UnauthenticatedError } from "../../src/errors.js";
import type { UserStore } from "../../src/ports/user-store.js";

const HOSTILE = [`'; DROP TABLE users; --`, `\\"quoted\\"`, "emoji 📈 and ünïcode", "a".repeat(190), "$1 $2 %s %d"];

/** What every UserStore adapter must do, exercised through the user domain. */
export function userStoreContract(name: string, open: () => Promise<{ store: UserStore; cleanup(): Promise<void> }>): void {
  describe(`UserStore contract: ${name}`, () => {
    let fx: { store: UserStore; cleanup(): Promise<void> };
    let users: UserDomain;
    let models: ModelRegistry;
    const email = () => `u${randomUUID().slice(0, 8)}@example.com`;

    beforeAll(async () => {
      fx = await open();
      users = userDomain(fx.store, "x".repeat(32), 3600);
      models = new ModelRegistry(fx.store);
    });
    afterAll(async () => fx?.cleanup());

    it("creates a user, hashes the password with argon2id and finds it by id and email", async () => {
      const e = email();
      const u = await users.accounts.createUser({ email: e, password: "correct horse battery", displayName: "Ann", roles: ["trader"] });
      expect(u.passwordHash).toMatch(/^\$argon2id\$/);
      expect(u.passwordHash).not.toContain("correct horse");
      expect((await users.accounts.getUser(u.id)).email).toBe(e);
      expect((await fx.store.getUserByEmail(e.toUpperCase()))?.id).toBe(u.id);
    });

    it("rejects a duplicate email, compared case-insensitively, with ALREADY_EXISTS", async () => {
      const e = email();
      await users.accounts.createUser({ email: e, password: "correct horse battery", displayName: "", roles: [] });
      await expect(users.accounts.createUser({ email: e.toUpperCase(), password: "another long password", displayName: "", roles: [] })).rejects.toBeInstanceOf(
        AlreadyExistsError,
      );
    });

    it("rejects unknown roles and organizations", async () => {
      await expect(users.accounts.createUser({ email: email(), password: "correct horse battery", displayName: "", roles: ["wizard"] })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(
        users.accounts.createUser({ email: email(), password: "correct horse battery", displayName: "", roles: [], organizationId: randomUUID() }),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it("authenticates with the right password only, records last login, and validates the session", async () => {
      const e = email();
      const u = await users.accounts.createUser({ email: e, password: "correct horse battery", displayName: "", roles: [] });
      await expect(users.sessions.authenticate(e, "wrong password!!")).rejects.toBeInstanceOf(UnauthenticatedError);
      await expect(users.sessions.authenticate(`nobody-${e}`, "correct horse battery")).rejects.toBeInstanceOf(UnauthenticatedError);
      const s = await users.sessions.authenticate(e, "correct horse battery");
      expect((await users.accounts.getUser(u.id)).lastLogin).toBeInstanceOf(Date);
      const check = await users.sessions.validate(s.token);
      expect(check.valid && check.user.id).toBe(u.id);
    });

    it("refreshes (revoking the old token) and revokes sessions at once", async () => {
      const e = email();
      await users.accounts.createUser({ email: e, password: "correct horse battery", displayName: "", roles: [] });
      const s1 = await users.sessions.authenticate(e, "correct horse battery");
      const s2 = await users.sessions.refresh(s1.token);
      expect((await users.sessions.validate(s1.token)).valid).toBe(false);
      expect((await users.sessions.validate(s2.token)).valid).toBe(true);
      expect(await users.sessions.revoke(s2.token)).toBe(true);
      expect((await users.sessions.validate(s2.token)).valid).toBe(false);
      expect(await users.sessions.revoke(s2.token)).toBe(false);
    });

    it("rejects forged, tampered and expired tokens", async () => {
      const e = email();
      await users.accounts.createUser({ email: e, password: "correct horse battery", displayName: "", roles: [] });
      const s = await users.sessions.authenticate(e, "correct horse battery");
      const forger = userDomain(fx.store, "y".repeat(32), 3600);
      const forged = await forger.sessions.authenticate(e, "correct horse battery");
      expect((await users.sessions.validate(forged.token)).valid).toBe(false);
      const [h, p, sig] = s.token.split(".");
      expect((await users.sessions.validate(`${h}.${p}.${sig!.slice(0, -2)}xx`)).valid).toBe(false);
      expect((await users.sessions.validate("not.a.jwt")).valid).toBe(false);
      const shortLived = userDomain(fx.store, "x".repeat(32), -1);
      const expired = await shortLived.sessions.authenticate(e, "correct horse battery");
      expect((await users.sessions.validate(expired.token)).valid).toBe(false);
    });

    it("ends sessions and API keys of a disabled user at once", async () => {
      const e = email();
      const u = await users.accounts.createUser({ email: e, password: "correct horse battery", displayName: "", roles: [] });
      const s = await users.sessions.authenticate(e, "correct horse battery");
      await users.accounts.disableUser(u.id);
      expect((await users.sessions.validate(s.token)).valid).toBe(false);
      await expect(users.sessions.authenticate(e, "correct horse battery")).rejects.toBeInstanceOf(UnauthenticatedError);
    });

    it("issues API keys whose secret is shown once and stored only as a hash; revocation is immediate", async () => {
      const u = await users.accounts.createUser({ email: email(), password: "correct horse battery", displayName: "", roles: [] });
      const { key, secret } = await users.apiKeys.create(u.id, "bot", ["ticks:write"], 0);
      expect(secret).toContain(key.prefix);
      const listed = await users.apiKeys.list(u.id);
      expect(listed.map((k) => k.id)).toEqual([key.id]);
      expect(JSON.stringify(listed)).not.toContain(secret);
      expect((await users.apiKeys.verify(secret))?.id).toBe(key.id);
      const tampered = `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
      expect(await users.apiKeys.verify(tampered)).toBeUndefined();
      await users.apiKeys.revoke(key.id);
      expect(await users.apiKeys.verify(secret)).toBeUndefined();
      await expect(users.apiKeys.revoke(randomUUID())).rejects.toBeInstanceOf(NotFoundError);
    });

    it("pages through users by email", async () => {
      const org = await users.accounts.createOrganization(`org-${randomUUID()}`);
      const emails = ["c", "a", "d", "b", "e"].map((p) => `${p}-${randomUUID().slice(0, 6)}@example.com`);
      for (const e of emails) await users.accounts.createUser({ email: e, password: "correct horse battery", displayName: "", roles: [], organizationId: org.id });
      const seen: string[] = [];
      let token = "";
      do {
        const page = await users.accounts.listUsers(org.id, 2, token);
        expect(page.users.length).toBeLessThanOrEqual(2);
        seen.push(...page.users.map((u) => u.email));
        token = page.next;
      } while (token !== "");
      expect(seen).toEqual([...emails].sort());
    });

    it("keeps hostile strings as data in every text field", async () => {
      for (const s of HOSTILE) {
        const org = await users.accounts.createOrganization(`${s}-${randomUUID()}`);
        expect((await users.accounts.listOrganizations()).some((o) => o.id === org.id && o.name === org.name)).toBe(true);
        const u = await users.accounts.createUser({ email: email(), password: `${s}-password`, displayName: s, roles: [], organizationId: org.id });
        expect((await users.accounts.getUser(u.id)).displayName).toBe(s);
        await models.register(`m${randomUUID().slice(0, 8)}`, "1.0.0", s, { note: s });
      }
    });

    it("registers model versions with JSON metrics; a repeated version is ALREADY_EXISTS; newest first", async () => {
      const name = `model-${randomUUID().slice(0, 8)}`;
      await models.register(name, "1.0.0", "xgboost", { sharpe: 1.4, folds: [0.1, 0.2], nested: { ok: true } });
      await new Promise((r) => setTimeout(r, 5));
      await models.register(name, "1.1.0", "xgboost", { sharpe: 1.6 });
      await expect(models.register(name, "1.0.0", "xgboost", {})).rejects.toBeInstanceOf(AlreadyExistsError);
      expect((await models.get(name, "1.0.0")).metrics).toEqual({ sharpe: 1.4, folds: [0.1, 0.2], nested: { ok: true } });
      expect((await models.get(name, undefined)).version).toBe("1.1.0");
      expect((await models.list(name)).map((m) => m.version)).toEqual(["1.1.0", "1.0.0"]);
      await expect(models.get(name, "9.9.9")).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}
