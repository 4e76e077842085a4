import { type Kysely, type Migration, sql } from 'kysely';
import type { Migrations } from '../../platform/db/index.js';
import { signingKeysMigration } from '../../platform/keys/index.js';
import { adminRefusalsMigration } from '../admin/audit.js';
import { adminAuditMigration, clientsMigration } from '../clients/migrations.js';
import { issuerStatesMigration } from '../protocol/issuer-state.js';
import { revokedGrantsMigration } from './revoked-grants.js';
import { signInMigrations } from './sign-in-tables.js';

/**
 * One table for every oidc-provider model (Session, Interaction, AuthorizationCode, Grant, …): the
 * adapter contract is the same for all of them, and the lookups it needs are indexed (`findByUid`,
 * `findByUserCode`, `revokeByGrantId`, expiry sweeps).
 */
const oidcModelsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('oidc_models')
      .addColumn('kind', 'varchar(64)', (c) => c.notNull())
      .addColumn('id', 'varchar(255)', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'varchar(255)')
      .addColumn('user_code', 'varchar(255)')
      .addColumn('uid', 'varchar(255)')
      // Epoch milliseconds; NULL = does not expire.
      .addColumn('expires_at', 'bigint')
      .addColumn('consumed_at', 'bigint')
      .addPrimaryKeyConstraint('oidc_models_pk', ['kind', 'id'])
      .execute();
    await db.schema.createIndex('oidc_models_uid').on('oidc_models').columns(['kind', 'uid']).execute();
    await db.schema
      .createIndex('oidc_models_user_code')
      .on('oidc_models')
      .columns(['kind', 'user_code'])
      .execute();
    await db.schema
      .createIndex('oidc_models_grant_id')
      .on('oidc_models')
      .columns(['grant_id', 'kind'])
      .execute();
    await db.schema.createIndex('oidc_models_expires_at').on('oidc_models').column('expires_at').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('oidc_models').execute();
  },
};

/** The lookup indexes of oidc_models by a column most rows leave NULL (migration 0600). */
const SPARSE_INDEXES = [
  { name: 'oidc_models_uid', columns: ['kind', 'uid'], column: 'uid' },
  { name: 'oidc_models_user_code', columns: ['kind', 'user_code'], column: 'user_code' },
  { name: 'oidc_models_grant_id', columns: ['grant_id', 'kind'], column: 'grant_id' },
] as const;

/** Drops each of SPARSE_INDEXES and makes it again, holding only its column's non-NULL rows or every row. */
async function recreateSparseIndexes(db: Kysely<unknown>, sparse: boolean): Promise<void> {
  for (const index of SPARSE_INDEXES) {
    await db.schema.dropIndex(index.name).execute();
    const create = db.schema
      .createIndex(index.name)
      .on('oidc_models')
      .columns([...index.columns]);
    await (sparse ? create.where(sql.ref(index.column), 'is not', null) : create).execute();
  }
}

/**
 * Those indexes hold only the rows that have the column: a sign-in's pushed requests, replay jtis,
 * grants and interactions have no user code, most of its rows no uid or grant id, and every entry of
 * a NULL key was still written (and its page logged to the WAL) at each insert, update and delete.
 * Every lookup through them is by `column = value`, which implies `column IS NOT NULL`, so SQLite and
 * PostgreSQL both still use them (test/authz/adapter.test.ts reads the query plans).
 */
const sparseIndexesMigration: Migration = {
  up: (db: Kysely<unknown>) => recreateSparseIndexes(db, true),
  down: (db: Kysely<unknown>) => recreateSparseIndexes(db, false),
};

/** Failed login attempts per interaction, so that a cap holds across instances. */
const loginFailuresMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('login_failures')
      .addColumn('interaction_uid', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('login_failures_expires_at')
      .on('login_failures')
      .column('expires_at')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('login_failures').execute();
  },
};

export const authzMigrations: Migrations = {
  '0001_signing_keys': signingKeysMigration,
  '0002_oidc_models': oidcModelsMigration,
  '0003_login_failures': loginFailuresMigration,
  // Numbered apart from the sign-in tables so that parallel work on both does not collide.
  '0100_authz_clients': clientsMigration,
  '0101_authz_admin_audit': adminAuditMigration,
  ...signInMigrations,
  '0300_authz_issuer_states': issuerStatesMigration,
  '0400_authz_admin_refusals': adminRefusalsMigration,
  '0500_authz_revoked_grants': revokedGrantsMigration,
  '0600_oidc_models_sparse_indexes': sparseIndexesMigration,
};
