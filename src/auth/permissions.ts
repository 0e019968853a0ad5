/**
 * The permission each RPC needs, by "package.Service/Method". "open" methods need no caller:
 * probes, reflection, and the session calls that carry their own credential (the password or the
 * token). A method missing from this table is refused, so a new RPC is closed until it is listed.
 */
export type Permission =
  | "ticks:read"
  | "ticks:write"
  | "users:admin"
  | "models:read"
  | "models:write"
  | "graph:read"
  | "graph:write"
  | "vectors:read"
  | "vectors:write"
  | "cache:read"
  | "cache:write"
  | "streams:read"
  | "streams:write"
  | "schema:admin";

const P = "neliti.dataplane.v1.";

export const METHOD_PERMISSIONS: Readonly<Record<string, Permission | "open" | "self-or-users:admin">> = {
  "grpc.health.v1.Health/Check": "open",
  "grpc.health.v1.Health/Watch": "open",
  "grpc.reflection.v1.ServerReflection/ServerReflectionInfo": "open",
  "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": "open",
  [`${P}HealthReportService/GetHealthReport`]: "open",

  [`${P}TickService/WriteTicks`]: "ticks:write",
  [`${P}TickService/IngestTicks`]: "ticks:write",
  [`${P}TickService/GetRecentTicks`]: "ticks:read",
  [`${P}TickService/QueryTicks`]: "ticks:read",
  [`${P}TickService/GetTicksAsOf`]: "ticks:read",
  [`${P}TickService/ReplayTicks`]: "ticks:read",
  [`${P}TickService/GetCandles`]: "ticks:read",
  [`${P}TickService/GetIndicators`]: "ticks:read",
  [`${P}TickService/SubscribeTicks`]: "ticks:read",
  [`${P}TickService/SubscribeCandles`]: "ticks:read",
  [`${P}TickService/SubscribeIndicators`]: "ticks:read",
  [`${P}TickService/FindSimilarPatterns`]: "ticks:read",

  [`${P}UserService/Authenticate`]: "open",
  [`${P}UserService/ValidateSession`]: "open",
  [`${P}UserService/RefreshSession`]: "open",
  [`${P}UserService/RevokeSession`]: "open",
  [`${P}UserService/CreateOrganization`]: "users:admin",
  [`${P}UserService/ListOrganizations`]: "users:admin",
  [`${P}UserService/CreateUser`]: "users:admin",
  [`${P}UserService/ListUsers`]: "users:admin",
  [`${P}UserService/DisableUser`]: "users:admin",
  [`${P}UserService/GetUser`]: "self-or-users:admin",
  [`${P}UserService/CreateApiKey`]: "self-or-users:admin",
  [`${P}UserService/ListApiKeys`]: "self-or-users:admin",
  [`${P}UserService/RevokeApiKey`]: "users:admin",
  [`${P}UserService/RegisterModel`]: "models:write",
  [`${P}UserService/GetModel`]: "models:read",
  [`${P}UserService/ListModels`]: "models:read",

  [`${P}GraphService/UpsertVertices`]: "graph:write",
  [`${P}GraphService/DeleteVertex`]: "graph:write",
  [`${P}GraphService/UpsertEdges`]: "graph:write",
  [`${P}GraphService/DeleteEdge`]: "graph:write",
  [`${P}GraphService/GetVertex`]: "graph:read",
  [`${P}GraphService/Traverse`]: "graph:read",
  [`${P}GraphService/GetStrategyDependencies`]: "graph:read",
  [`${P}GraphService/ResolvePermissions`]: "graph:read",

  [`${P}VectorService/EnsureCollection`]: "vectors:write",
  [`${P}VectorService/UpsertObjects`]: "vectors:write",
  [`${P}VectorService/DeleteObjects`]: "vectors:write",
  [`${P}VectorService/SearchNearVector`]: "vectors:read",
  [`${P}VectorService/GetObject`]: "vectors:read",

  [`${P}CacheService/Get`]: "cache:read",
  [`${P}CacheService/MGet`]: "cache:read",
  [`${P}CacheService/GetTtl`]: "cache:read",
  [`${P}CacheService/GetLatestTick`]: "cache:read",
  [`${P}CacheService/GetIndicatorValue`]: "cache:read",
  [`${P}CacheService/GetPrediction`]: "cache:read",
  [`${P}CacheService/Set`]: "cache:write",
  [`${P}CacheService/MSet`]: "cache:write",
  [`${P}CacheService/Delete`]: "cache:write",
  [`${P}CacheService/Expire`]: "cache:write",
  [`${P}CacheService/Incr`]: "cache:write",
  [`${P}CacheService/SetIndicatorValue`]: "cache:write",
  [`${P}CacheService/SetPrediction`]: "cache:write",

  [`${P}StreamService/CreateTopic`]: "streams:write",
  [`${P}StreamService/Publish`]: "streams:write",
  [`${P}StreamService/ListTopics`]: "streams:read",
  [`${P}StreamService/Subscribe`]: "streams:read",
  [`${P}StreamService/CommitOffsets`]: "streams:read",

  [`${P}SchemaService/GetMigrationStatus`]: "schema:admin",
  [`${P}SchemaService/Migrate`]: "schema:admin",
  [`${P}SchemaService/Rollback`]: "schema:admin",
  // Operators' work over stored history, audited as schema changes are.
  [`${P}BackfillService/BackfillPatterns`]: "schema:admin",
};

/** Methods whose calls go to the audit log. */
export const AUDITED = new Set(Object.entries(METHOD_PERMISSIONS).filter(([, p]) => p === "users:admin" || p === "schema:admin").map(([m]) => m));

/** Whether granted permissions ("*:*", "ticks:*", "ticks:read") include `needed`. */
export function grants(granted: readonly string[], needed: string): boolean {
  const [area] = needed.split(":");
  return granted.some((g) => g === needed || g === "*:*" || g === `${area}:*`);
}
