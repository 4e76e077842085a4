import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type Commit, type Migrations, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { type DIALECTS, isPostgresAvailable, type TestDatabase } from './databases.js';

/**
 * For each test of the calling `describe`: a fresh database of the entry's dialect with `service`'s
 * migrations applied (`db`, and `commit`: its group commit on SQLite), closed and dropped after the test. A PostgreSQL test is skipped when no server
 * answers (a failure in CI: isPostgresAvailable). Hooks the caller adds run after this one's.
 * The object is filled in when the hook runs, so read `db` in hooks and tests only.
 */
export function migratedDatabaseForEachTest<Tables>(
  { dialect, create }: { dialect: string; create: () => Promise<TestDatabase> },
  service: string,
  migrations: Migrations,
): { db: Kysely<Tables>; commit: Commit } {
  const current = {} as { db: Kysely<Tables>; commit: Commit };
  let testDb: TestDatabase | undefined;
  let close: () => Promise<void> = async () => {};
  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    testDb = await create();
    const database = openDatabase<Tables>(testDb.url);
    current.db = database.db;
    current.commit = database.commit;
    close = database.close;
    await migrateToLatest(database.db as Kysely<unknown>, service, migrations);
  });
  afterEach(async () => {
    await close();
    await testDb?.drop();
  });
  return current;
}

/**
 * For the calling `describe`: one fresh, empty database of the entry's dialect, made before its
 * tests and dropped after them. `current` stays undefined (each test then skips itself) when
 * PostgreSQL is asked for and no server answers (a failure in CI: isPostgresAvailable).
 */
export function databaseForAllTests({ dialect, create }: (typeof DIALECTS)[number]): {
  current?: TestDatabase;
} {
  const database: { current?: TestDatabase } = {};
  beforeAll(async () => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return;
    database.current = await create();
  });
  afterAll(async () => {
    await database.current?.drop();
  });
  return database;
}
