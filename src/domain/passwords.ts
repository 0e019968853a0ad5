import { randomBytes } from "node:crypto";
import argon2 from "argon2";

/** argon2id parameters (OWASP's first recommendation: 19 MiB, 2 passes, 1 lane). */
export const ARGON2_PARAMS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, ARGON2_PARAMS);

/**
 * Checks passwords against stored argon2id hashes. A missing hash (an unknown email) is checked
 * against a real hash of a random password, so the answer takes as long either way and timing
 * does not reveal which accounts exist.
 */
export class PasswordCheck {
  private readonly dummyHash = hashPassword(randomBytes(16).toString("hex"));

  async matches(storedHash: string | undefined, password: string): Promise<boolean> {
    const ok = await argon2.verify(storedHash ?? (await this.dummyHash), password);
    return ok && storedHash !== undefined;
  }
}
