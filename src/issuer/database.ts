import type { Kysely } from 'kysely';
import type { Migrations } from '../platform/db/index.js';
import { type KeyTables, signingKeysMigration } from '../platform/keys/index.js';

export interface NoncesTable {
  /** The c_nonce itself (256 random bits, base64url). */
  value: string;
  /** Epoch milliseconds after which the nonce is refused. */
  expires_at: number;
}

export interface IssuerTables extends KeyTables {
  issuer_nonces: NoncesTable;
}

/** The issuer's schema, applied in name order by `migrateToLatest(db, 'issuer', issuerMigrations)`. */
export const issuerMigrations: Migrations = {
  '0001_signing_keys': signingKeysMigration,
  '0002_nonces': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('issuer_nonces')
        .addColumn('value', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('issuer_nonces_expires_at')
        .on('issuer_nonces')
        .column('expires_at')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('issuer_nonces').execute();
    },
  },
};
