import { createSigner } from "fast-jwt";
import { describe, expect, it } from "vitest";
import { SessionTokens } from "../../src/domain/session-tokens.js";

const SECRET = "s".repeat(40);
const hour = (h: number) => new Date(Date.now() + h * 3_600_000);

describe("session tokens", () => {
  const tokens = new SessionTokens(SECRET);

  it("verify what they sign: the user and the session", () => {
    expect(tokens.verify(tokens.sign("user-1", "session-1", new Date(), hour(1)))).toEqual({ userId: "user-1", sessionId: "session-1" });
  });

  it("refuse expired, tampered, foreign, unsigned and wrong-issuer tokens", () => {
    expect(tokens.verify(tokens.sign("u", "s", hour(-2), hour(-1)))).toBeUndefined();
    const good = tokens.sign("u", "s", new Date(), hour(1));
    const [header, payload, signature] = good.split(".");
    const otherPayload = Buffer.from(JSON.stringify({ sub: "admin", jti: "s", iss: "neliti-dataplane", exp: Math.floor(hour(1).getTime() / 1000) })).toString("base64url");
    expect(tokens.verify(`${header}.${otherPayload}.${signature}`)).toBeUndefined();
    expect(tokens.verify(new SessionTokens("t".repeat(40)).sign("u", "s", new Date(), hour(1)))).toBeUndefined();
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${payload}.`;
    expect(tokens.verify(none)).toBeUndefined();
    const otherIssuer = createSigner({ key: SECRET, algorithm: "HS256", iss: "someone-else" })({ sub: "u", jti: "s", exp: Math.floor(hour(1).getTime() / 1000) });
    expect(tokens.verify(otherIssuer)).toBeUndefined();
    expect(tokens.verify("not a token")).toBeUndefined();
  });
});
