// The per-call values the server sets before any interceptor or handler runs: a leaf module, so
// the auth interceptor and services read them without importing the server.
import { createContextKey } from "@connectrpc/connect";

/**
 * Set by the HTTP server on every request to a known method; `observe` marks it reached. A request
 * that ends unreached was refused by the protocol layer before any interceptor (a malformed,
 * truncated or oversized frame), and the server counts it as a rejection.
 */
export const RPC_REACHED = createContextKey<{ reached: boolean } | undefined>(undefined, { description: "reached the interceptors" });

/** The peer's address (login limits and audit records use it). */
export const CLIENT_ADDRESS = createContextKey<string>("unknown", { description: "remote address" });
