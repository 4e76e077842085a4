import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';

/** Migrations live in code (one file each) and are registered by name, applied in name order. */
export type Migrations = Record<string, Migration>;

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: Migrations) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

/**
 * Brings a database up to date. Each service keeps its own migration table so that services may
 * share one PostgreSQL database without stepping on each other.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  service: string,
  migrations: Migrations,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new StaticProvider(migrations),
    migrationTableName: `${service}_migrations`,
    migrationLockTableName: `${service}_migrations_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`${service}: migration ${failed} failed: ${(error as Error).message}`);
  }
}
