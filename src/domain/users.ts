import type { UserDomainStore } from "../ports/user-store.js";
import { Accounts } from "./accounts.js";
import { ApiKeys } from "./api-keys.js";
import { CredentialCache } from "./credential-cache.js";
import { Sessions } from "./sessions.js";

/**
 * The users domain by concern, over one store: accounts (organizations and users), sessions and
 * API keys, sharing the credential cache so revoking or disabling takes effect at once. Who is
 * calling an RPC is resolved from these in auth/principals.ts; models live in model-registry.ts.
 */
export type UserDomain = { readonly accounts: Accounts; readonly sessions: Sessions; readonly apiKeys: ApiKeys };

export function userDomain(store: UserDomainStore, jwtSecret: string, sessionTtlSeconds: number, credentials = new CredentialCache(undefined)): UserDomain {
  return {
    accounts: new Accounts(store, credentials),
    sessions: new Sessions(store, jwtSecret, sessionTtlSeconds, credentials),
    apiKeys: new ApiKeys(store, credentials),
  };
}
