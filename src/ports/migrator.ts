export type MigrationState = {
  adapter: string;
  currentVersion: number;
  migrations: { version: number; name: string; applied: boolean; appliedAtMs: number }[];
};

/** Applies and reverts one backend's numbered migrations, recording them in the backend itself. */
export interface Migrator {
  status(): Promise<MigrationState>;
  /** Applies every pending migration up to `target` (undefined: the newest). */
  migrateTo(target?: number): Promise<MigrationState>;
  /** Reverts applied migrations above `target`, newest first. */
  rollbackTo(target: number): Promise<MigrationState>;
}
