import type { Kysely } from 'kysely';
import type { Migrations } from '../platform/db/index.js';

/** The protocol layer's tables, in their own migration set so they never interleave with the pipeline's. */
export const PROTOCOL_MIGRATION_SET = 'issuer_protocol';

export interface OffersTable {
  /** Random id: the by-reference URL names it (`/offers/<id>`). */
  id: string;
  /** JSON array of credential configuration ids. */
  configuration_ids: string;
  /** Whom the credential is about (registry individual id), when the offer names someone. */
  subject: string | null;
  /** JSON object of the claims fixed at creation, or null (the data provider answers). */
  claims: string | null;
  /** SHA-256 (base64url) of the pre-authorized code; null for an authorization-code-only offer. */
  code_hash: string | null;
  /** SHA-256 of the transaction code the holder must type, when one is required. */
  tx_code_hash: string | null;
  /** JSON `tx_code` object of the offer (length, input_mode, description). */
  tx_code: string | null;
  /** `issuer_state` of the authorization code grant. */
  issuer_state: string | null;
  /** Wrong transaction codes left before the code dies. */
  attempts_left: number;
  created_at: number;
  expires_at: number;
  /** When the pre-authorized code was exchanged (single use). */
  redeemed_at: number | null;
}

export interface DeferredTable {
  /** SHA-256 of the transaction id: a database reader cannot collect credentials. */
  id_hash: string;
  /** Who may ask: `<token issuer> <subject>`. */
  owner: string;
  /** JSON of what is needed to ask the pipeline again (configuration id, subject, keys, offer claims). */
  request: string;
  /** Optional pipeline reference from the pending outcome. */
  reference: string | null;
  interval: number;
  created_at: number;
  expires_at: number;
}

export interface NotificationsTable {
  id: string;
  owner: string;
  /** JSON array of ledger ids of the credentials of one Credential Response. */
  credential_ids: string;
  configuration_id: string;
  event: string | null;
  event_description: string | null;
  created_at: number;
  notified_at: number | null;
}

export interface DpopJtiTable {
  /** `<jkt>:<jti>`, hashed so its length is bounded. */
  id: string;
  expires_at: number;
}

export interface ProtocolTables {
  issuer_offers: OffersTable;
  issuer_deferred: DeferredTable;
  issuer_notifications: NotificationsTable;
  issuer_dpop_jtis: DpopJtiTable;
}

export const protocolMigrations: Migrations = {
  '0001_offers_deferred_notifications_dpop': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('issuer_offers')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('configuration_ids', 'text', (c) => c.notNull())
        .addColumn('subject', 'varchar(200)')
        .addColumn('claims', 'text')
        .addColumn('code_hash', 'varchar(64)', (c) => c.unique())
        .addColumn('tx_code_hash', 'varchar(64)')
        .addColumn('tx_code', 'text')
        .addColumn('issuer_state', 'varchar(64)', (c) => c.unique())
        .addColumn('attempts_left', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('redeemed_at', 'bigint')
        .execute();
      await db.schema
        .createTable('issuer_deferred')
        .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('owner', 'varchar(600)', (c) => c.notNull())
        .addColumn('request', 'text', (c) => c.notNull())
        .addColumn('reference', 'varchar(200)')
        .addColumn('interval', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('issuer_notifications')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('owner', 'varchar(600)', (c) => c.notNull())
        .addColumn('credential_ids', 'text', (c) => c.notNull())
        .addColumn('configuration_id', 'varchar(200)', (c) => c.notNull())
        .addColumn('event', 'varchar(40)')
        .addColumn('event_description', 'varchar(500)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('notified_at', 'bigint')
        .execute();
      await db.schema
        .createTable('issuer_dpop_jtis')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['issuer_offers', 'issuer_deferred', 'issuer_notifications', 'issuer_dpop_jtis']) {
        await db.schema.dropTable(table).execute();
      }
    },
  },
  '0002_notifications_created_at': {
    // The retention sweep (notification/store.ts) finds expired rows by time: without this index, a scan.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('issuer_notifications_created_at')
        .on('issuer_notifications')
        .column('created_at')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('issuer_notifications_created_at').execute();
    },
  },
};
