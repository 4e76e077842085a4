import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { prepareStatement } from '../../platform/db/index.js';
import type { LedgerTable, LedgerTables } from './tables.js';

// Written in every issuing transaction: prepared once, and on PostgreSQL sent with the batch's other
// deferred writes as one statement before its COMMIT (src/platform/db/prepared.ts).
const RECORD = prepareStatement(
  'insert into "issuer_ledger" ("id", "configuration_id", "format", "subject_hash", "status", "status_refs", "status_list_id", "status_idx", "issued_at", "expires_at") values ($1, $2, $3, $4, \'valid\', $5, $6, $7, $8, $9)',
  { deferrable: true },
);
const RECORD_ATTRIBUTE = prepareStatement(
  'insert into "issuer_ledger_attributes" ("credential_id", "name", "value_hash") values ($1, $2, $3)',
  { deferrable: true },
);

export interface LedgerStatusRef {
  listId: string;
  idx: number;
  purpose: string;
}

export interface LedgerRecord {
  id: string;
  configurationId: string;
  format: string;
  subject: string;
  statusRefs: LedgerStatusRef[];
  issuedAt: number;
  expiresAt?: number;
  /** Indexed attribute name → rendered value (hashed before it is stored). */
  attributes: Record<string, string>;
}

export interface LedgerQuery {
  configurationId?: string;
  subject?: string;
  attributes?: Record<string, string>;
  limit: number;
}

/** What the admin API shows of a ledger row (no PII: the subject and attributes only as hashes). */
export interface LedgerEntry {
  id: string;
  configuration_id: string;
  format: string;
  subject_hash: string;
  status: LedgerTable['status'];
  status_refs: LedgerStatusRef[];
  issued_at: number;
  expires_at: number | null;
}

/**
 * Every issued credential: its id, configuration, subject and indexed attributes as keyed hashes
 * (HMAC under a key derived from the master key, so the same value finds the same rows on every
 * instance but the table alone reveals nothing), status list entries, issuance and expiry.
 */
export class Ledger {
  constructor(private readonly hmacKey: Buffer) {}

  hash(value: string): string {
    return createHmac('sha256', this.hmacKey).update(value, 'utf8').digest('base64url');
  }

  private attributeHash(name: string, value: string): string {
    return this.hash(`${name}\u0000${value.normalize('NFC')}`);
  }

  /** Inside the issuing transaction. */
  async record(db: Kysely<LedgerTables>, record: LedgerRecord): Promise<void> {
    const first = record.statusRefs[0];
    await RECORD.run(db as Kysely<unknown>, [
      record.id,
      record.configurationId,
      record.format,
      this.hash(record.subject),
      JSON.stringify(record.statusRefs),
      first?.listId ?? null,
      first?.idx ?? null,
      record.issuedAt,
      record.expiresAt ?? null,
    ]);
    for (const [name, value] of Object.entries(record.attributes)) {
      await RECORD_ATTRIBUTE.run(db as Kysely<unknown>, [record.id, name, this.attributeHash(name, value)]);
    }
  }

  async get(db: Kysely<LedgerTables>, id: string): Promise<LedgerEntry | undefined> {
    const row = await db.selectFrom('issuer_ledger').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toEntry(row) : undefined;
  }

  async search(db: Kysely<LedgerTables>, query: LedgerQuery): Promise<LedgerEntry[]> {
    let select = db.selectFrom('issuer_ledger').selectAll('issuer_ledger');
    if (query.configurationId) select = select.where('configuration_id', '=', query.configurationId);
    if (query.subject) select = select.where('subject_hash', '=', this.hash(query.subject));
    for (const [name, value] of Object.entries(query.attributes ?? {})) {
      const hash = this.attributeHash(name, value);
      // Answered from the (name, value_hash, credential_id) index alone.
      select = select.where('issuer_ledger.id', 'in', (eb) =>
        eb
          .selectFrom('issuer_ledger_attributes as a')
          .select('a.credential_id')
          .where('a.name', '=', name)
          .where('a.value_hash', '=', hash),
      );
    }
    const rows = await select.orderBy('issued_at', 'desc').orderBy('id').limit(query.limit).execute();
    return rows.map(toEntry);
  }

  async setStatus(db: Kysely<LedgerTables>, id: string, status: LedgerTable['status']): Promise<void> {
    await db.updateTable('issuer_ledger').set({ status }).where('id', '=', id).execute();
  }
}

function toEntry(row: LedgerTable): LedgerEntry {
  return {
    id: row.id,
    configuration_id: row.configuration_id,
    format: row.format,
    subject_hash: row.subject_hash,
    status: row.status,
    status_refs: JSON.parse(row.status_refs) as LedgerStatusRef[],
    issued_at: row.issued_at,
    expires_at: row.expires_at,
  };
}
