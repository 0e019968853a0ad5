import { FailedPreconditionError } from "../errors.js";
import type { MigrationState, Migrator } from "../ports/migrator.js";
import type { MigrationFile } from "./migration-files.js";

/**
 * The bookkeeping every backend's migrator shares: which numbered migrations are applied, and in
 * which order to apply or revert them. A backend supplies how to read its record of applied
 * versions and how to run one migration up or down (recording it).
 */
export abstract class StepMigrator implements Migrator {
  constructor(
    readonly adapter: string,
    protected readonly files: readonly MigrationFile[],
  ) {}

  /** Applied versions with when they were applied (epoch ms); none while the record does not exist. */
  protected abstract applied(): Promise<Map<number, number>>;
  /** Creates the record of applied versions unless it exists (under the lock: never two at once). */
  protected abstract createRecord(): Promise<void>;
  protected abstract apply(file: MigrationFile): Promise<void>;
  protected abstract revert(file: MigrationFile): Promise<void>;

  /**
   * Runs `work` while no other process migrates this backend: replicas that start together each
   * migrate. The default takes no lock (ArangoDB's migrator: its steps check what exists first).
   */
  protected exclusively<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  async status(): Promise<MigrationState> {
    return this.stateOf(await this.applied());
  }

  private stateOf(applied: Map<number, number>): MigrationState {
    return {
      adapter: this.adapter,
      currentVersion: Math.max(0, ...applied.keys()),
      migrations: this.files.map((f) => ({ version: f.version, name: f.name, applied: applied.has(f.version), appliedAtMs: applied.get(f.version) ?? 0 })),
    };
  }

  async migrateTo(target?: number): Promise<MigrationState> {
    const last = this.files.at(-1)?.version ?? 0;
    const goal = target ?? last;
    if (goal > last) throw new FailedPreconditionError(`no migration ${goal}: the newest is ${last}`);
    const pending = (applied: Map<number, number>) => this.files.filter((f) => f.version <= goal && !applied.has(f.version));
    // Most starts find nothing to do, and need not take the lock to see it.
    const before = await this.applied();
    if (pending(before).length === 0) return this.stateOf(before);
    return this.exclusively(async () => {
      await this.createRecord();
      for (const f of pending(await this.applied())) await this.apply(f);
      return this.status();
    });
  }

  async rollbackTo(target: number): Promise<MigrationState> {
    const toRevert = (applied: Map<number, number>) => [...this.files].reverse().filter((f) => f.version > target && applied.has(f.version));
    const before = await this.applied();
    if (toRevert(before).length === 0) return this.stateOf(before);
    return this.exclusively(async () => {
      for (const f of toRevert(await this.applied())) await this.revert(f);
      return this.status();
    });
  }
}
