import type { Kysely } from 'kysely';
import type { Migrations } from '../platform/db/index.js';
import { type KeyTables, signingKeysMigration } from '../platform/keys/index.js';

export interface SpentNoncesTable {
  /** A c_nonce that a credential request consumed (src/issuer/nonce-store.ts). */
  value: string;
  /** Its expiry, epoch ms: after it the nonce is refused anyway, and the row may be swept. */
  expires_at: number;
}

export interface IssuerTables extends KeyTables {
  issuer_spent_nonces: SpentNoncesTable;
}

/** A table of single values with an expiry, indexed for the sweep (the nonce tables, old and new). */
async function createExpiringValues(db: Kysely<unknown>, table: string): Promise<void> {
  await db.schema
    .createTable(table)
    .addColumn('value', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex(`${table}_expires_at`).on(table).column('expires_at').execute();
}

/** The issuer's schema, applied in name order by `migrateToLatest(db, 'issuer', issuerMigrations)`. */
export const issuerMigrations: Migrations = {
  '0001_signing_keys': signingKeysMigration,
  '0002_nonces': {
    async up(db: Kysely<unknown>) {
      await createExpiringValues(db, 'issuer_nonces');
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('issuer_nonces').execute();
    },
  },
  // Nonces are issued without a write and recorded once spent (src/issuer/nonce-store.ts). Nonces
  // issued before the upgrade are refused with invalid_nonce; wallets then fetch a fresh one (§7.2).
  '0003_spent_nonces': {
    async up(db: Kysely<unknown>) {
      await db.schema.dropTable('issuer_nonces').execute();
      await createExpiringValues(db, 'issuer_spent_nonces');
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('issuer_spent_nonces').execute();
      await createExpiringValues(db, 'issuer_nonces');
    },
  },
};
