import type { Kysely, Migration } from 'kysely';
import type { Migrations } from '../../platform/db/index.js';
import { type KeyTables, signingKeysMigration } from '../../platform/keys/index.js';

/** A browser session: the cookie holds a random id, the table its SHA-256 (a leaked table is no cookie). */
export interface PortalSessionsTable {
  id: string;
  created_at: number;
  expires_at: number;
}

/** One authorization request in flight, found by its `state` and bound to the session that made it. */
export interface PortalFlowsTable {
  state: string;
  session_id: string;
  code_verifier: string;
  nonce: string;
  configuration_id: string;
  /** The credential issuer of the flow (null in rows of before 0003: the primary issuer). */
  issuer: string | null;
  /** `guest` (a per-download key held for seconds) or `browser` (a key of the browser, proof signed there). */
  holder: string | null;
  /** The flow's DPoP private key (RFC 9449), sealed; null when the server does not do DPoP. */
  dpop_key: string | null;
  created_at: number;
  expires_at: number;
}

/**
 * An issuance waiting for a proof signed in the browser: the access token and what the request
 * needs (sealed), bound to the session, used once.
 */
export interface PortalPendingTable {
  id: string;
  session_id: string;
  sealed: string;
  created_at: number;
  expires_at: number;
}

/** A credential fetched once by a short-lived link (QR codes too small for the credential itself). */
export interface PortalRetrievalsTable {
  id: string;
  sealed: string;
  created_at: number;
  expires_at: number;
}

/** A credential obtained by a session, kept briefly for the result page and the download. */
export interface PortalCredentialsTable {
  id: string;
  session_id: string;
  configuration_id: string;
  /** AES-256-GCM sealed JSON (credential and what the page shows), associated data = id. */
  sealed: string;
  created_at: number;
  expires_at: number;
}

export interface PortalTables extends KeyTables {
  portal_sessions: PortalSessionsTable;
  portal_flows: PortalFlowsTable;
  portal_credentials: PortalCredentialsTable;
  portal_pending: PortalPendingTable;
  portal_retrievals: PortalRetrievalsTable;
}

const sessionsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('portal_sessions')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('portal_sessions_expiry')
      .on('portal_sessions')
      .column('expires_at')
      .execute();

    await db.schema
      .createTable('portal_flows')
      .addColumn('state', 'varchar(128)', (c) => c.primaryKey())
      .addColumn('session_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('code_verifier', 'varchar(128)', (c) => c.notNull())
      .addColumn('nonce', 'varchar(128)', (c) => c.notNull())
      .addColumn('configuration_id', 'varchar(200)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('portal_flows_expiry').on('portal_flows').column('expires_at').execute();

    await db.schema
      .createTable('portal_credentials')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('session_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('configuration_id', 'varchar(200)', (c) => c.notNull())
      .addColumn('sealed', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('portal_credentials_expiry')
      .on('portal_credentials')
      .column('expires_at')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('portal_credentials').execute();
    await db.schema.dropTable('portal_flows').execute();
    await db.schema.dropTable('portal_sessions').execute();
  },
};

const journeyMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('portal_flows').addColumn('issuer', 'varchar(500)').execute();
    await db.schema.alterTable('portal_flows').addColumn('holder', 'varchar(16)').execute();
    await db.schema.alterTable('portal_flows').addColumn('dpop_key', 'text').execute();
    for (const table of ['portal_pending', 'portal_retrievals']) {
      let create = db.schema
        .createTable(table)
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('sealed', 'text', (c) => c.notNull());
      if (table === 'portal_pending')
        create = create.addColumn('session_id', 'varchar(64)', (c) => c.notNull());
      await create
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex(`${table}_expiry`).on(table).column('expires_at').execute();
    }
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('portal_retrievals').execute();
    await db.schema.dropTable('portal_pending').execute();
    await db.schema.alterTable('portal_flows').dropColumn('dpop_key').execute();
    await db.schema.alterTable('portal_flows').dropColumn('holder').execute();
    await db.schema.alterTable('portal_flows').dropColumn('issuer').execute();
  },
};

export const portalMigrations: Migrations = {
  '0001_signing_keys': signingKeysMigration,
  '0002_portal_sessions': sessionsMigration,
  '0003_portal_journey': journeyMigration,
};
