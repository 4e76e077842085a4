import type { Kysely } from 'kysely';

export interface LedgerTable {
  /** `urn:uuid:…` — also the W3C credential id. */
  id: string;
  configuration_id: string;
  format: string;
  /** HMAC-SHA-256 of the subject under a key derived from the master key: searchable, not reversible. */
  subject_hash: string;
  status: 'valid' | 'suspended' | 'revoked';
  /** JSON array of `{listId, idx, purpose}`; the first entry is also in status_list_id/status_idx. */
  status_refs: string;
  status_list_id: string | null;
  status_idx: number | null;
  issued_at: number;
  expires_at: number | null;
}

/** Attributes a configuration indexes (`ledgerIndex`), as keyed hashes of their values. */
export interface LedgerAttributesTable {
  credential_id: string;
  name: string;
  value_hash: string;
}

export interface LedgerTables {
  issuer_ledger: LedgerTable;
  issuer_ledger_attributes: LedgerAttributesTable;
}

/** The attribute rows' first two indexes (0003; put back by 0101's down). */
async function createFirstAttributeIndexes(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('issuer_ledger_attributes_lookup')
    .on('issuer_ledger_attributes')
    .columns(['name', 'value_hash'])
    .execute();
  await db.schema
    .createIndex('issuer_ledger_attributes_credential')
    .on('issuer_ledger_attributes')
    .column('credential_id')
    .execute();
}

export const ledgerMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('issuer_ledger')
      .addColumn('id', 'varchar(60)', (c) => c.primaryKey())
      .addColumn('configuration_id', 'varchar(100)', (c) => c.notNull())
      .addColumn('format', 'varchar(20)', (c) => c.notNull())
      .addColumn('subject_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('status', 'varchar(10)', (c) => c.notNull())
      .addColumn('status_refs', 'text', (c) => c.notNull())
      .addColumn('status_list_id', 'varchar(40)')
      .addColumn('status_idx', 'integer')
      .addColumn('issued_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .execute();
    await db.schema.createIndex('issuer_ledger_subject').on('issuer_ledger').column('subject_hash').execute();
    await db.schema
      .createIndex('issuer_ledger_configuration')
      .on('issuer_ledger')
      .columns(['configuration_id', 'issued_at'])
      .execute();
    await db.schema
      .createTable('issuer_ledger_attributes')
      .addColumn('credential_id', 'varchar(60)', (c) => c.notNull())
      .addColumn('name', 'varchar(200)', (c) => c.notNull())
      .addColumn('value_hash', 'varchar(64)', (c) => c.notNull())
      .execute();
    await createFirstAttributeIndexes(db);
  },
};

/**
 * One index per attribute row instead of two: the lookup (name, value hash) now carries the
 * credential id, so a search finds the ids in it alone (`id in (…)`), and the index on the credential
 * id — a B-tree page at a random place written by every credential — goes. Measured in
 * docs/decisions.md (Performance).
 */
export const ledgerAttributeLookupMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('issuer_ledger_attributes_by_value')
      .on('issuer_ledger_attributes')
      .columns(['name', 'value_hash', 'credential_id'])
      .execute();
    await db.schema.dropIndex('issuer_ledger_attributes_lookup').execute();
    await db.schema.dropIndex('issuer_ledger_attributes_credential').execute();
  },
  async down(db: Kysely<unknown>) {
    await createFirstAttributeIndexes(db);
    await db.schema.dropIndex('issuer_ledger_attributes_by_value').execute();
  },
};
