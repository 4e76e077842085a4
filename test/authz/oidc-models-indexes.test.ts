import { type Kysely, Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { AuthzTables } from '../../src/authz/storage/adapter.js';
import { authzMigrations } from '../../src/authz/storage/migrations.js';
import { migratedDatabaseForEachTest } from '../helpers/database-hooks.js';
import { DIALECTS } from '../helpers/databases.js';

/** The adapter's lookups by a column most rows leave NULL (src/authz/storage/adapter.ts, model-statements.ts). */
const LOOKUPS = [
  {
    index: 'oidc_models_uid',
    sql: `select "payload", "consumed_at" from "oidc_models" where "kind" = 'Session' and "uid" = 'u1' and ("expires_at" is null or "expires_at" > 0)`,
  },
  {
    index: 'oidc_models_user_code',
    sql: `select "payload", "consumed_at" from "oidc_models" where "kind" = 'DeviceCode' and "user_code" = 'c1' and ("expires_at" is null or "expires_at" > 0)`,
  },
  {
    index: 'oidc_models_grant_id',
    sql: `delete from "oidc_models" where "kind" = 'AccessToken' and "grant_id" = 'g1'`,
  },
];

describe.each(DIALECTS)('oidc_models lookup indexes on $dialect', ({ dialect, create }) => {
  const database = migratedDatabaseForEachTest<AuthzTables>({ dialect, create }, 'authz', authzMigrations);

  /** The plan's text of one statement (PostgreSQL told to avoid a scan, as it would on a large table). */
  const plan = async (statement: string) => {
    if (dialect === 'sqlite') {
      const { rows } = await sql<{ detail: string }>`explain query plan ${sql.raw(statement)}`.execute(
        database.db,
      );
      return rows.map((row) => row.detail).join('\n');
    }
    return database.db.transaction().execute(async (tx) => {
      await sql`set local enable_seqscan = off`.execute(tx);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(statement)}`.execute(tx);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
  };

  it('hold only the rows that have the column, and every lookup by it still uses its index', async () => {
    const rows = [
      { kind: 'Session', id: 's1', uid: 'u1', grant_id: null, user_code: null },
      { kind: 'PushedAuthorizationRequest', id: 'p1', uid: null, grant_id: null, user_code: null },
      { kind: 'AccessToken', id: 'a1', uid: null, grant_id: 'g1', user_code: null },
    ];
    await database.db
      .insertInto('oidc_models')
      .values(
        rows.map((row) => ({ ...row, payload: '{}', expires_at: Date.now() + 60_000, consumed_at: null })),
      )
      .execute();
    for (const lookup of LOOKUPS) expect(await plan(lookup.sql)).toContain(lookup.index);
    if (dialect === 'sqlite') {
      // Entries per index: the sparse ones hold only their non-NULL rows.
      const entries = async (index: string) =>
        (
          await sql<{
            n: number;
          }>`select count(*) as n from ${sql.table('oidc_models')} indexed by ${sql.raw(index)} where ${sql.raw(index === 'oidc_models_uid' ? 'uid' : 'grant_id')} is not null`.execute(
            database.db,
          )
        ).rows[0]?.n;
      expect(await entries('oidc_models_uid')).toBe(1);
      expect(await entries('oidc_models_grant_id')).toBe(1);
      const { rows: definitions } = await sql<{
        sql: string;
      }>`select sql from sqlite_master where type = 'index' and name in ('oidc_models_uid', 'oidc_models_user_code', 'oidc_models_grant_id')`.execute(
        database.db,
      );
      expect(definitions).toHaveLength(3);
      for (const { sql: definition } of definitions) expect(definition).toMatch(/where .* is not null$/i);
    }
  });

  it('go back to full indexes when the migration is undone, and lookups use them', async () => {
    const migrator = new Migrator({
      db: database.db as Kysely<unknown>,
      provider: { getMigrations: async () => authzMigrations },
      migrationTableName: 'authz_migrations',
      migrationLockTableName: 'authz_migrations_lock',
    });
    const { error, results } = await migrator.migrateDown();
    expect(error).toBeUndefined();
    expect(results?.[0]?.migrationName).toBe('0600_oidc_models_sparse_indexes');
    // A full (kind, …) index serves any kind = … lookup, so PostgreSQL may pick another of them.
    for (const lookup of LOOKUPS)
      expect(await plan(lookup.sql)).toMatch(dialect === 'sqlite' ? lookup.index : /Index/);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    for (const lookup of LOOKUPS) expect(await plan(lookup.sql)).toContain(lookup.index);
  });
});
