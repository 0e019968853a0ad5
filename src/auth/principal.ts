import { createContextKey } from "@connectrpc/connect";

/** Who is calling, as established by the auth interceptor. */
export type Principal = {
  userId: string;
  /** Effective permissions: the roles' grants, narrowed by an API key's scopes. */
  permissions: readonly string[];
  via: "session" | "api-key" | "anonymous-dev";
  /** The credential: `api-key:<key prefix>` or `user:<user id>` (what rate limits count against). */
  subject: string;
};

/** Handlers read the caller from the context (e.g. self-service calls). */
export const PRINCIPAL = createContextKey<Principal | undefined>(undefined, { description: "the authenticated caller" });
