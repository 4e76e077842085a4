import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AdminAuditTable, AdminTables } from './tables.js';

export type AuditEntry = Omit<AdminAuditTable, 'id' | 'at'>;

/** The audit trail of admin actions (who, what, when). Append-only: nothing here updates or deletes. */
export class AuditTrail {
  constructor(private readonly db: Kysely<AdminTables>) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db
      .insertInto('issuer_admin_audit')
      .values({ id: randomUUID(), at: Date.now(), ...entry })
      .execute();
  }

  /** Newest first. */
  async list(options: { limit: number; before?: number; actor?: string }): Promise<AdminAuditTable[]> {
    let query = this.db.selectFrom('issuer_admin_audit').selectAll().orderBy('at', 'desc').orderBy('id');
    if (options.before !== undefined) query = query.where('at', '<', options.before);
    if (options.actor !== undefined) query = query.where('actor', '=', options.actor);
    return query.limit(options.limit).execute();
  }
}
