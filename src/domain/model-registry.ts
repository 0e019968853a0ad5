import type { JsonObject } from "@bufbuild/protobuf";
import { NotFoundError } from "../errors.js";
import type { ModelRecord, ModelStore } from "../ports/user-store.js";

/** The ML model registry: versions of named models with their metrics (model_registry in PostgreSQL). */
export class ModelRegistry {
  constructor(private readonly store: ModelStore) {}

  async register(name: string, version: string, modelType: string, metrics: JsonObject): Promise<ModelRecord> {
    const model = { name, version, modelType, metrics, createdAt: new Date() };
    await this.store.registerModel(model);
    return model;
  }

  async get(name: string, version: string | undefined): Promise<ModelRecord> {
    const m = await this.store.getModel(name, version);
    if (!m) throw new NotFoundError(version ? `model ${name} version ${version} not found` : `model ${name} not found`);
    return m;
  }

  list(name: string): Promise<ModelRecord[]> {
    return this.store.listModels(name);
  }
}
