import type { Kysely, Migration } from 'kysely';
import type { Migrations } from '../db/index.js';

export interface SigningKeysTable {
  kid: string;
  purpose: string;
  alg: string;
  public_jwk: string;
  /**
   * `sealed`: AES-256-GCM sealed PKCS#8 (associated data = kid). `pkcs11`: a reference to the token
   * object, `{"token","id","label"}` — the private key itself never leaves the token.
   */
  private_key: string;
  /**
   * `active`: pending, signing or superseded (by `activates_at`, see lifecycle.ts); `retired`:
   * retired by hand (published until nothing it signed is valid); `revoked`: compromised, never
   * published again.
   */
  status: 'active' | 'retired' | 'revoked';
  created_at: number;
  retired_at: number | null;
  backend: 'sealed' | 'pkcs11';
  /** When the key starts signing (null: at creation). Until then it is only published. */
  activates_at: number | null;
  /** Epoch ms until which something it signed is valid (credentials, status lists): it stays published. */
  signed_until: number | null;
  /** The CA-issued (or demo) certificate chain of the key, leaf first: JSON array of base64 DER. */
  certificate_chain: string | null;
}

export interface KeyTables {
  signing_keys: SigningKeysTable;
}

/**
 * Every service that signs includes this migration in its own list. Services may share one
 * database (each with its own key purposes), so the table is created only by the first.
 */
export const signingKeysMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('signing_keys')
      .ifNotExists()
      .addColumn('kid', 'varchar(100)', (c) => c.primaryKey())
      .addColumn('purpose', 'varchar(100)', (c) => c.notNull())
      .addColumn('alg', 'varchar(20)', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('private_key', 'text', (c) => c.notNull())
      .addColumn('status', 'varchar(10)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('retired_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('signing_keys_purpose')
      .ifNotExists()
      .on('signing_keys')
      .columns(['purpose', 'status'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('signing_keys').ifExists().execute();
  },
};

/** Migration set of the shared table's later columns, applied by the KeyStore before its first query. */
export const SIGNING_KEYS_MIGRATION_SET = 'signing_keys';

export const signingKeyMigrations: Migrations = {
  '0001_backend_rotation_certificates': {
    async up(db: Kysely<unknown>) {
      const table = (await db.introspection.getTables()).find((t) => t.name === 'signing_keys');
      const has = new Set(table?.columns.map((c) => c.name));
      if (!has.has('backend'))
        await db.schema
          .alterTable('signing_keys')
          .addColumn('backend', 'varchar(20)', (c) => c.notNull().defaultTo('sealed'))
          .execute();
      if (!has.has('activates_at'))
        await db.schema.alterTable('signing_keys').addColumn('activates_at', 'bigint').execute();
      if (!has.has('signed_until'))
        await db.schema.alterTable('signing_keys').addColumn('signed_until', 'bigint').execute();
      if (!has.has('certificate_chain'))
        await db.schema.alterTable('signing_keys').addColumn('certificate_chain', 'text').execute();
    },
  },
};
