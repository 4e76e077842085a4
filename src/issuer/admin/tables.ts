import type { Kysely } from 'kysely';
import { type RefusalRow, refusalsMigration } from '../../platform/audit/refusals.js';

export interface AdminApiKeysTable {
  /** Public part of the key (`atk_<id>_<secret>`), used to find the row. */
  id: string;
  name: string;
  /** SHA-256 of the whole key, base64url: the key is 256 random bits, so a fast hash is enough. */
  key_hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface AdminAuditTable {
  id: string;
  at: number;
  /** `oauth:<client_id>` or `api_key:<id>` (refused anonymous calls are counted in issuer_admin_refusals). */
  actor: string;
  /** e.g. `POST /admin/configurations`, `configuration.create`, `status.revoke`. */
  action: string;
  /** What was acted on (configuration id, credential id, list/index); never PII. */
  target: string | null;
  outcome: 'allowed' | 'refused' | 'done' | 'failed';
  detail: string | null;
}

export interface AdminTables {
  issuer_admin_api_keys: AdminApiKeysTable;
  issuer_admin_audit: AdminAuditTable;
  issuer_admin_refusals: RefusalRow;
}

/** Refused admin calls, aggregated (src/platform/audit/refusals.ts). */
export const ADMIN_REFUSALS_TABLE = 'issuer_admin_refusals';
export const adminRefusalsMigration = refusalsMigration(ADMIN_REFUSALS_TABLE);

export const adminMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('issuer_admin_api_keys')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('name', 'varchar(200)', (c) => c.notNull())
      .addColumn('key_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema
      .createTable('issuer_admin_audit')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'varchar(300)', (c) => c.notNull())
      .addColumn('action', 'varchar(200)', (c) => c.notNull())
      .addColumn('target', 'varchar(500)')
      .addColumn('outcome', 'varchar(10)', (c) => c.notNull())
      .addColumn('detail', 'text')
      .execute();
    await db.schema.createIndex('issuer_admin_audit_at').on('issuer_admin_audit').column('at').execute();
  },
};
