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
