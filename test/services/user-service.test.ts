import type { Client } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserService } from "../../gen/neliti/dataplane/v1/user_pb.js";
import { inMemoryApp, type TestApp } from "../harness/app.js";

describe("UserService bad input (embedded, in-memory transport)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await inMemoryApp();
  });
  afterAll(async () => t?.close());

  it("refuses text PostgreSQL cannot store (NUL) with INVALID_ARGUMENT naming the field, creating nothing", async () => {
    const users = t.client(UserService);
    const err = await users.createUser({ email: "nul@example.com", password: "a long password", displayName: "bad\u0000name" }).catch((e: unknown) => e);
    expect(ConnectError.from(err).code).toBe(Code.InvalidArgument);
    expect(ConnectError.from(err).rawMessage).toContain("display_name");
    expect((await users.listUsers({})).users.map((u) => u.email)).not.toContain("nul@example.com");
  });

  it.each([
    ["Authenticate email", (u: Users) => u.authenticate({ email: "a\u0000@example.com", password: "whatever it is" }), "email"],
    ["GetModel name", (u: Users) => u.getModel({ name: "m\u0000", version: "1" }), "name"],
    ["GetModel version", (u: Users) => u.getModel({ name: "m", version: "1\u0000" }), "version"],
    ["ListModels name", (u: Users) => u.listModels({ name: "m\u0000" }), "name"],
    ["a Struct key", (u: Users) => u.registerModel({ name: "m", version: "1", modelType: "t", performanceMetrics: { "k\u0000": 1 } }), "performance_metrics"],
    ["a Struct value", (u: Users) => u.registerModel({ name: "m", version: "1", modelType: "t", performanceMetrics: { deep: { list: ["v\u0000"] } } }), 'performance_metrics["deep"]["list"][0]'],
    ["ListUsers page_token", (u: Users) => u.listUsers({ pageToken: "bnVs" + "AA" }), "page_token"],
    ["ListUsers page_token of garbage", (u: Users) => u.listUsers({ pageToken: "%%%not-a-token%%%" }), "page_token"],
  ])("answers NUL, lone surrogates and garbage in %s with INVALID_ARGUMENT naming the field", async (_what, call, field) => {
    const err = ConnectError.from(await call(t.client(UserService)).catch((e: unknown) => e));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toContain(field);
    expect((await t.client(UserService).listModels({ name: "m" })).models).toEqual([]);
  });

  it("answers a duplicate email with ALREADY_EXISTS and a short password with INVALID_ARGUMENT", async () => {
    const users = t.client(UserService);
    await users.createUser({ email: "dup@example.com", password: "a long password" });
    const dup = await users.createUser({ email: "DUP@example.com", password: "another long password" }).catch((e: unknown) => e);
    expect(ConnectError.from(dup).code).toBe(Code.AlreadyExists);
    const short = await users.createUser({ email: "short@example.com", password: "short" }).catch((e: unknown) => e);
    expect(ConnectError.from(short).code).toBe(Code.InvalidArgument);
    expect(ConnectError.from(short).rawMessage).toContain("password");
  });
});

type Users = Client<typeof UserService>;
