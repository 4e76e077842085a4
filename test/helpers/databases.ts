import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const POSTGRES_ADMIN_URL =
  process.env.ATTESTA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let postgresAvailable: Promise<boolean> | undefined;

/** Whether PostgreSQL answers; in CI (CI=true) its absence is a failure, not a skip. */
export function isPostgresAvailable(): Promise<boolean> {
  postgresAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch (error) {
      if (process.env.CI === 'true') {
        throw new Error(
          `PostgreSQL is required in CI but ${POSTGRES_ADMIN_URL} did not answer: ${(error as Error).message}`,
        );
      }
      process.stderr.write(
        `\n!!! PostgreSQL at ${POSTGRES_ADMIN_URL} is not reachable: PostgreSQL tests are SKIPPED (they fail when CI=true) !!!\n\n`,
      );
      return false;
    }
  })();
  return postgresAvailable;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database; `drop` removes it. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `attesta_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A fresh SQLite file in a temporary folder; `drop` removes the folder. */
export function createSqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'attesta-test-'));
  return {
    url: `sqlite:${join(dir, 'test.sqlite')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Both dialects, for `describe.each`: each entry creates its own database. */
export const DIALECTS = [
  { dialect: 'sqlite', create: async () => createSqliteDatabase() },
  { dialect: 'postgres', create: createPostgresDatabase },
] as const;
