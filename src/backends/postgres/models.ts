import type { JsonObject } from "@bufbuild/protobuf";
import type { ModelRecord, ModelStore } from "../../ports/user-store.js";
import { explainConstraints, type SqlClient } from "./sql-client.js";

type ModelRow = { name: string; version: string; model_type: string; performance_metrics: JsonObject; created_at: Date };

const MODEL_COLUMNS = "name, version, model_type, performance_metrics, created_at";

const toModel = (r: ModelRow): ModelRecord => ({
  name: r.name,
  version: r.version,
  modelType: r.model_type,
  metrics: r.performance_metrics,
  createdAt: new Date(r.created_at),
});

/** The model registry: versions of a model, newest first. */
export function sqlModels(sql: SqlClient): ModelStore {
  return {
    async registerModel(m) {
      await explainConstraints(
        () =>
          sql.query(`INSERT INTO model_registry (${MODEL_COLUMNS}) VALUES ($1, $2, $3, $4::jsonb, $5)`, [
            m.name,
            m.version,
            m.modelType,
            JSON.stringify(m.metrics),
            m.createdAt,
          ]),
        `model ${m.name} version ${m.version} is registered`,
      );
    },

    async getModel(name, version) {
      const rows = await sql.query<ModelRow>(
        `SELECT ${MODEL_COLUMNS} FROM model_registry
          WHERE name = $1 AND ($2::text IS NULL OR version = $2::text) ORDER BY created_at DESC, id DESC LIMIT 1`,
        [name, version ?? null],
      );
      return rows.map(toModel)[0];
    },

    async listModels(name) {
      const rows = await sql.query<ModelRow>(`SELECT ${MODEL_COLUMNS} FROM model_registry WHERE name = $1 ORDER BY created_at DESC, id DESC`, [name]);
      return rows.map(toModel);
    },
  };
}
