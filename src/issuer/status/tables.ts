import type { Kysely } from 'kysely';

/**
 * `token`: IETF Token Status List (2 bits per entry: 0 valid, 1 invalid, 2 suspended) for dc+sd-jwt
 * and mso_mdoc. `bitstring`: W3C Bitstring Status List (1 bit, one list per purpose) for W3C formats.
 */
export type StatusListKind = 'token' | 'bitstring';
export type StatusPurpose = 'status' | 'revocation' | 'suspension';

export interface StatusListsTable {
  id: string;
  kind: StatusListKind;
  purpose: StatusPurpose;
  /** Number of entries (≥ 131,072: the herd a credential hides in). */
  size: number;
  bits: number;
  /** `full` once random allocation keeps colliding: new credentials go to a fresh list. */
  state: 'open' | 'full';
  /** Bumped on every status change, so served copies know when to rebuild. */
  version: number;
  created_at: number;
}

export interface StatusEntriesTable {
  list_id: string;
  idx: number;
  credential_id: string;
  /** The entry's value in the list (see `StatusListKind`). */
  status: number;
  updated_at: number;
}

export interface StatusTables {
  issuer_status_lists: StatusListsTable;
  issuer_status_entries: StatusEntriesTable;
}

export const statusMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('issuer_status_lists')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('kind', 'varchar(10)', (c) => c.notNull())
      .addColumn('purpose', 'varchar(12)', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('bits', 'integer', (c) => c.notNull())
      .addColumn('state', 'varchar(6)', (c) => c.notNull())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // The primary key is what makes an index unique across instances: a second insert of the same
    // (list, idx) does nothing, and the allocator draws again. Rows are never deleted: never reused.
    await db.schema
      .createTable('issuer_status_entries')
      .addColumn('list_id', 'varchar(40)', (c) => c.notNull())
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('credential_id', 'varchar(60)', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('issuer_status_entries_pk', ['list_id', 'idx'])
      .execute();
    await db.schema
      .createIndex('issuer_status_entries_credential')
      .on('issuer_status_entries')
      .column('credential_id')
      .execute();
  },
};
