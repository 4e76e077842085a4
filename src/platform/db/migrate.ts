import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

/** Migrations live in code (one file each) and are registered by name, applied in name order. */
export type Migrations = Record<string, Migration>;

/** A named series of migrations with its own history table (`<name>_migrations`). */
export interface MigrationSet {
  name: string;
  migrations: Migrations;
}

/** Where a database stands against one migration set of this code. */
export interface SchemaStatus {
  set: string;
  applied: string[];
  /** In the code, not yet applied: `migrateToLatest` (or `attesta migrate`) applies them. */
  pending: string[];
  /** Applied to the database but unknown to this code: the schema is newer than the code. */
  unknown: string[];
}

/** The database was migrated by a newer Attesta: running older code on it could corrupt data. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly set: string,
    readonly unknown: string[],
  ) {
    super(
      `${set}: the database schema is newer than this version of Attesta (it has migration ${unknown.join(', ')}, ` +
        'which this code does not know). Run the version that migrated it, or restore the backup taken before the upgrade.',
    );
    this.name = 'SchemaTooNewError';
  }
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: Migrations) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

function migrator(db: Kysely<unknown>, set: string, migrations: Migrations): Migrator {
  return new Migrator({
    db,
    provider: new StaticProvider(migrations),
    migrationTableName: `${set}_migrations`,
    migrationLockTableName: `${set}_migrations_lock`,
  });
}

/** Names recorded in the set's history table (none when the table does not exist yet). */
async function appliedNames(db: Kysely<unknown>, set: string): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((table) => table.name === `${set}_migrations`)) return [];
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(`${set}_migrations`)}`.execute(
    db,
  );
  return rows.map((row) => row.name).sort();
}

/** What is applied, pending and unknown for one set; readiness reports not ready while `pending` is not empty. */
export async function schemaStatus(
  db: Kysely<unknown>,
  set: string,
  migrations: Migrations,
): Promise<SchemaStatus> {
  const applied = await appliedNames(db, set);
  const known = Object.keys(migrations).sort();
  return {
    set,
    applied,
    pending: known.filter((name) => !applied.includes(name)),
    unknown: applied.filter((name) => !(name in migrations)),
  };
}

/** Pending migration names of every set (empty: the schema is current). */
export async function pendingMigrations(
  db: Kysely<unknown>,
  sets: readonly MigrationSet[],
): Promise<string[]> {
  const pending: string[] = [];
  for (const { name, migrations } of sets)
    pending.push(...(await schemaStatus(db, name, migrations)).pending.map((m) => `${name}/${m}`));
  return pending;
}

/**
 * Brings a database up to date. Each service keeps its own migration table so that services may
 * share one PostgreSQL database without stepping on each other; instances starting together
 * serialize on Kysely's lock table. A database migrated by newer code is refused (SchemaTooNewError).
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  service: string,
  migrations: Migrations,
): Promise<void> {
  remember(db, service, migrations);
  const status = await schemaStatus(db, service, migrations);
  if (status.unknown.length) throw new SchemaTooNewError(service, status.unknown);
  if (!status.pending.length) return;
  const { error, results } = await migrator(db, service, migrations).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`${service}: migration ${failed} failed: ${(error as Error).message}`);
  }
}

/** The migration sets each open database was brought up to date with in this process. */
const setsByDatabase = new WeakMap<Kysely<unknown>, Map<string, Migrations>>();

function remember(db: Kysely<unknown>, set: string, migrations: Migrations): void {
  const sets = setsByDatabase.get(db) ?? new Map<string, Migrations>();
  sets.set(set, migrations);
  setsByDatabase.set(db, sets);
}

/**
 * Pending migrations of every set this process applied to `db` (a service's readiness: the
 * database was restored from an older backup, or rolled back, under a running instance). Only reads.
 */
export function pendingMigrationsOf(db: Kysely<unknown>): Promise<string[]> {
  const sets = [...(setsByDatabase.get(db) ?? [])].map(([name, migrations]) => ({ name, migrations }));
  return pendingMigrations(db, sets);
}
