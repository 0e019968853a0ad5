import type { ServiceImpl } from "@connectrpc/connect";
import { Backend, type SchemaService } from "../../gen/neliti/dataplane/v1/ops_pb.js";
import { FailedPreconditionError } from "../errors.js";
import type { BackendName } from "../ports/backend.js";
import type { MigrationState, Migrator } from "../ports/migrator.js";

export const BACKEND_NAME: Record<Exclude<Backend, Backend.UNSPECIFIED>, BackendName> = {
  [Backend.TICKS]: "ticks",
  [Backend.USERS]: "users",
  [Backend.GRAPH]: "graph",
  [Backend.VECTORS]: "vectors",
  [Backend.CACHE]: "cache",
  [Backend.STREAM]: "stream",
};

const stateProto = (backend: Backend, s: MigrationState) => ({
  backend,
  adapter: s.adapter,
  currentVersion: s.currentVersion,
  migrations: s.migrations.map((m) => ({ ...m, appliedAtMs: BigInt(m.appliedAtMs) })),
});

/** Thin handlers over each backend's Migrator. */
export function schemaService(migrators: Partial<Record<BackendName, Migrator>>): ServiceImpl<typeof SchemaService> {
  const migratorFor = (backend: Backend): Migrator => {
    const m = migrators[BACKEND_NAME[backend as keyof typeof BACKEND_NAME]];
    if (!m) throw new FailedPreconditionError(`backend ${Backend[backend]} has no migrations with its current adapter`);
    return m;
  };
  return {
    async getMigrationStatus(req) {
      const wanted = (Object.keys(BACKEND_NAME).map(Number) as (keyof typeof BACKEND_NAME)[]).filter(
        (b) => (req.backend === Backend.UNSPECIFIED || req.backend === b) && migrators[BACKEND_NAME[b]],
      );
      return { backends: await Promise.all(wanted.map(async (b) => stateProto(b, await migratorFor(b).status()))) };
    },
    async migrate(req) {
      return { state: stateProto(req.backend, await migratorFor(req.backend).migrateTo(req.targetVersion || undefined)) };
    },
    async rollback(req) {
      return { state: stateProto(req.backend, await migratorFor(req.backend).rollbackTo(req.targetVersion)) };
    },
  };
}
