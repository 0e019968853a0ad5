import type { Interceptor } from "@connectrpc/connect";
import { CLIENT_ADDRESS } from "../server/context-keys.js";
import type { AuditLog } from "../ports/user-store.js";
import { PermissionDeniedError, UnauthenticatedError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import { AUDITED, grants, METHOD_PERMISSIONS, type Permission } from "./permissions.js";
import { PRINCIPAL, type Principal } from "./principal.js";
import type { Principals } from "./principals.js";

/** The client's address, set per request by the HTTP server (for login rate limits and audit). */

/** Fields naming the user a self-service call is about. */
const SELF_FIELDS = ["id", "userId"] as const;

/**
 * Authentication and per-method authorization for every RPC: an API key (`x-api-key`) or a
 * session token (`authorization: Bearer ...`). UNAUTHENTICATED when the caller is unknown,
 * PERMISSION_DENIED when known but not allowed. Admin calls are written to the audit log.
 * With auth off (embedded development mode only) every call runs as an anonymous admin.
 */
export function authenticate(principals: Principals, auditLog: AuditLog, log: Logger, enabled: boolean): Interceptor {
  type Next = Parameters<Interceptor>[0];
  // The checking path for callers that must authenticate; shared by every method's chain.
  const checked = async (next: Next, req: Parameters<Next>[0], method: string, rule: Permission | "self-or-users:admin" | undefined) => {
    const principal = await identify(principals, req.header);
    if (!principal) throw new UnauthenticatedError("missing or invalid credentials: send x-api-key or authorization: Bearer <session token>");
    req.contextValues.set(PRINCIPAL, principal);
    if (rule === undefined) throw new PermissionDeniedError(`${method} is not open to callers`);
    if (!allowed(principal, rule, req.stream ? undefined : req.message)) {
      throw new PermissionDeniedError(`${method} needs ${rule === "self-or-users:admin" ? "users:admin (or to be about the caller)" : rule}`);
    }
    if (!AUDITED.has(method)) return next(req);
    const audit = (result: string) =>
      auditLog
        .audit({ actor: `${principal.via}:${principal.userId}`, action: method, target: req.stream ? "" : auditTarget(req.message), result, detail: { address: req.contextValues.get(CLIENT_ADDRESS) } })
        .catch((err: unknown) => log.error({ err }, "audit log write failed"));
    try {
      const res = await next(req);
      await audit("ok");
      return res;
    } catch (err) {
      await audit(err instanceof Error ? err.message.slice(0, 200) : "error");
      throw err;
    }
  };
  // Not async itself: open methods and development mode pass straight through, without a promise
  // and its microtasks of their own on every call.
  return (next) => (req) => {
    const method = `${req.service.typeName}/${req.method.name}`;
    const rule = METHOD_PERMISSIONS[method];
    if (rule === "open") return next(req);
    if (!enabled) {
      req.contextValues.set(PRINCIPAL, ANONYMOUS_DEV);
      return next(req);
    }
    return checked(next, req, method, rule);
  };
}

/** Every caller when auth is off (embedded development mode only). */
const ANONYMOUS_DEV: Principal = Object.freeze({ userId: "", permissions: Object.freeze(["*:*"]), via: "anonymous-dev", subject: "anonymous" });

async function identify(principals: Principals, header: Headers): Promise<Principal | undefined> {
  const apiKey = header.get("x-api-key");
  if (apiKey) return principals.forApiKey(apiKey);
  const auth = header.get("authorization");
  const bearer = auth && /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
  return bearer ? principals.forToken(bearer) : undefined;
}

function allowed(p: Principal, rule: Permission | "self-or-users:admin", message: unknown): boolean {
  if (rule !== "self-or-users:admin") return grants(p.permissions, rule);
  if (grants(p.permissions, "users:admin")) return true;
  const m = message as Record<string, unknown> | undefined;
  return p.userId !== "" && SELF_FIELDS.some((f) => m?.[f] === p.userId);
}

function auditTarget(message: unknown): string {
  const m = message as Record<string, unknown>;
  for (const f of ["id", "userId", "email", "name", "backend"]) if (m[f] !== undefined && m[f] !== "") return `${f}=${String(m[f])}`;
  return "";
}
