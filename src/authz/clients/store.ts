import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Kysely } from 'kysely';
import { AuthzClient } from '../../platform/config/schema.js';
import { type AuditTables, recordAudit } from '../admin/audit.js';
import { type ClientRecord, recordProblem } from './record.js';

export interface ClientsTable {
  client_id: string;
  /** The ClientRecord as JSON (without `disabled`, which is its own column). */
  record: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

export interface ClientTables extends AuditTables {
  authz_clients: ClientsTable;
}

if (!FormatRegistry.Has('uri')) FormatRegistry.Set('uri', (value) => URL.canParse(value));

/** A refused change; `message` is safe to show the administrator. */
export class ClientError extends Error {
  constructor(
    readonly code: 'invalid_client_metadata' | 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

/** Validates a client record (schema, then the cross-field rules) or throws ClientError. */
export function validateRecord(candidate: unknown): ClientRecord {
  const first = Value.Errors(AuthzClient, candidate).First();
  if (first) {
    throw new ClientError('invalid_client_metadata', `${first.path || '/'}: ${first.message}`);
  }
  const record = candidate as ClientRecord;
  const problem = recordProblem(record);
  if (problem) throw new ClientError('invalid_client_metadata', problem);
  return record;
}

const toRow = (record: ClientRecord) => {
  const { disabled, ...rest } = record;
  return { record: JSON.stringify(rest), disabled: disabled ? 1 : 0 };
};

/** A client's row as stored: its record JSON and `disabled`. */
export type StoredClientRow = Pick<ClientsTable, 'record' | 'disabled'>;

export const fromRow = (row: StoredClientRow): ClientRecord => ({
  ...(JSON.parse(row.record) as ClientRecord),
  disabled: Number(row.disabled) === 1,
});

/**
 * Clients in authz's database. oidc-provider reads them through ClientAdapter on every lookup (no
 * cache across instances), so a change or a disable takes effect on all instances at once.
 */
export class ClientStore {
  constructor(private readonly db: Kysely<ClientTables>) {}

  async get(clientId: string): Promise<ClientRecord | undefined> {
    const row = await this.row(clientId);
    return row ? fromRow(row) : undefined;
  }

  /** The stored row of a client, as it is in the table. */
  row(clientId: string): Promise<StoredClientRow | undefined> {
    return this.db
      .selectFrom('authz_clients')
      .select(['record', 'disabled'])
      .where('client_id', '=', clientId)
      .executeTakeFirst();
  }

  async list(): Promise<ClientRecord[]> {
    const rows = await this.db
      .selectFrom('authz_clients')
      .select(['record', 'disabled'])
      .orderBy('client_id')
      .execute();
    return rows.map(fromRow);
  }

  /** Every redirect origin of the enabled clients (for the pages' CSP form-action). */
  async redirectOrigins(): Promise<string[]> {
    const origins = new Set<string>();
    for (const record of await this.list()) {
      if (record.disabled) continue;
      for (const uri of [...record.redirect_uris, ...(record.post_logout_redirect_uris ?? [])]) {
        origins.add(new URL(uri).origin);
      }
    }
    return [...origins];
  }

  async add(candidate: unknown, actor: string): Promise<ClientRecord> {
    const record = validateRecord(candidate);
    const now = Date.now();
    await this.db.transaction().execute(async (tx) => {
      const exists = await tx
        .selectFrom('authz_clients')
        .select('client_id')
        .where('client_id', '=', record.client_id)
        .executeTakeFirst();
      if (exists) throw new ClientError('conflict', `client ${record.client_id} already exists`);
      await tx
        .insertInto('authz_clients')
        .values({ client_id: record.client_id, ...toRow(record), created_at: now, updated_at: now })
        .execute();
      await recordAudit(
        tx as unknown as Kysely<AuditTables>,
        { actor, action: 'client.add', target: record.client_id, detail: record },
        now,
      );
    });
    return record;
  }

  /** Merges `changes` (top-level fields; `null` removes an optional field) into the stored record. */
  async update(
    clientId: string,
    changes: Record<string, unknown>,
    actor: string,
    action = 'client.update',
  ): Promise<ClientRecord> {
    const now = Date.now();
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('authz_clients')
        .select(['record', 'disabled'])
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      if (!row) throw new ClientError('not_found', `no client ${clientId}`);
      if ('client_id' in changes && changes.client_id !== clientId) {
        throw new ClientError('invalid_client_metadata', 'client_id cannot change');
      }
      const merged: Record<string, unknown> = { ...fromRow(row) };
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) delete merged[key];
        else merged[key] = value;
      }
      const record = validateRecord(merged);
      await tx
        .updateTable('authz_clients')
        .set({ ...toRow(record), updated_at: now })
        .where('client_id', '=', clientId)
        .execute();
      await recordAudit(
        tx as unknown as Kysely<AuditTables>,
        { actor, action, target: clientId, detail: changes },
        now,
      );
      return record;
    });
  }

  async setDisabled(clientId: string, disabled: boolean, actor: string): Promise<ClientRecord> {
    return this.update(clientId, { disabled }, actor, disabled ? 'client.disable' : 'client.enable');
  }

  /**
   * Seeds the configured clients that are not in the database yet. A client already stored is
   * left as it is: after the first start the database (admin API, CLI) is the source of truth.
   */
  async seed(records: ClientRecord[]): Promise<string[]> {
    const added: string[] = [];
    for (const record of records) {
      if (await this.get(record.client_id)) continue;
      try {
        await this.add(record, 'config:seed');
        added.push(record.client_id);
      } catch (error) {
        // Two instances starting together: the other one seeded it first.
        if (!(await this.get(record.client_id))) throw error;
      }
    }
    return added;
  }
}
