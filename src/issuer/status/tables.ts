import { type Kysely, sql } from 'kysely';

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
  /**
   * `full` once every entry is allocated (lists allocated by random draws before migration 0102: once
   * draws kept colliding, or by that migration): new credentials go to a fresh list.
   */
  state: 'open' | 'full';
  /** Bumped on every status change, so served copies know when to rebuild. */
  version: number;
  created_at: number;
  /**
   * The next allocation sequence number not yet reserved by any worker (`StatusAllocator`); NULL for a
   * list allocated by random draws before migration 0102, whose entries have seq = idx.
   */
  next_seq: number | null;
  /** `StatusPermutations.tag` of the list's index permutation (NULL with `next_seq`). */
  permutation_tag: string | null;
}

export interface StatusEntriesTable {
  list_id: string;
  /** The entry's allocation sequence number in its list (the key, with the list: appended to). */
  seq: number;
  /** The entry's index in the list, as the credential carries it: the list's permutation of `seq`. */
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
    await entriesByIdx(db, 'issuer_status_entries');
    await credentialIndex(db);
  },
};

/** The entries table keyed by (list, idx), as the first migration made it (and 0102's `down` makes it again). */
async function entriesByIdx(db: Kysely<unknown>, name: string) {
  await db.schema
    .createTable(name)
    .addColumn('list_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('credential_id', 'varchar(60)', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('issuer_status_entries_pk', ['list_id', 'idx'])
    .execute();
}

/** The entries' index on the credential id (before 0102). */
async function credentialIndex(db: Kysely<unknown>) {
  await db.schema
    .createIndex('issuer_status_entries_credential')
    .on('issuer_status_entries')
    .column('credential_id')
    .execute();
}

/** The entries table keyed by (list, seq), without an index on the credential id (0102's `up`). */
async function entriesBySeq(db: Kysely<unknown>, name: string) {
  await db.schema
    .createTable(name)
    .addColumn('list_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('credential_id', 'varchar(60)', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint(`${name}_pk`, ['list_id', 'seq'])
    .execute();
}

/**
 * Status indices allocated by a counter and a keyed permutation instead of random draws
 * (src/issuer/status/allocator.ts; docs/decisions.md, Performance). Each list gets `next_seq` (the
 * next unreserved allocation number) and the tag of its permutation; entries are keyed by (list, seq),
 * appended to in allocation order, with the index as a column; the index on the credential id goes (a
 * credential's entries are found through its ledger row's status_refs). Lists allocated by draws keep
 * their entries (seq = idx) and are marked full: they are served and changed as before, and new
 * credentials go to new lists. The table is rebuilt (SQLite cannot change a primary key in place; the
 * same statements on PostgreSQL).
 */
export const statusSequenceMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('issuer_status_lists').addColumn('next_seq', 'integer').execute();
    await db.schema.alterTable('issuer_status_lists').addColumn('permutation_tag', 'varchar(32)').execute();
    await sql`update "issuer_status_lists" set "state" = 'full' where "state" = 'open'`.execute(db);
    await entriesBySeq(db, 'issuer_status_entries_by_seq');
    await sql`insert into "issuer_status_entries_by_seq" ("list_id", "seq", "idx", "credential_id", "status", "updated_at") select "list_id", "idx", "idx", "credential_id", "status", "updated_at" from "issuer_status_entries"`.execute(
      db,
    );
    await db.schema.dropTable('issuer_status_entries').execute();
    await db.schema.alterTable('issuer_status_entries_by_seq').renameTo('issuer_status_entries').execute();
  },
  /**
   * Back to (list, idx) keys and the credential index (a list's indices are distinct whichever way they
   * were allocated); the new columns go, and random draws take the lists' free indices again.
   */
  async down(db: Kysely<unknown>) {
    await entriesByIdx(db, 'issuer_status_entries_by_idx');
    await sql`insert into "issuer_status_entries_by_idx" ("list_id", "idx", "credential_id", "status", "updated_at") select "list_id", "idx", "credential_id", "status", "updated_at" from "issuer_status_entries"`.execute(
      db,
    );
    await db.schema.dropTable('issuer_status_entries').execute();
    await db.schema.alterTable('issuer_status_entries_by_idx').renameTo('issuer_status_entries').execute();
    await credentialIndex(db);
    await db.schema.alterTable('issuer_status_lists').dropColumn('permutation_tag').execute();
    await db.schema.alterTable('issuer_status_lists').dropColumn('next_seq').execute();
  },
};
