import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type RefusalRow, refusalsMigration } from '../../platform/audit/refusals.js';

export interface AdminAuditTable {
  id: string;
  at: number;
  actor: string;
  action: string;
  target: string;
  detail: string;
}

export interface AuditTables {
  authz_admin_audit: AdminAuditTable;
  authz_admin_refusals: RefusalRow;
}

/** Refused admin calls, aggregated per minute, route, reason and source (src/platform/audit). */
export const ADMIN_REFUSALS_TABLE = 'authz_admin_refusals';
export const adminRefusalsMigration = refusalsMigration(ADMIN_REFUSALS_TABLE);

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  target: string;
  detail: unknown;
}

let sequence = 0;

/**
 * Entry ids sort by time, then by order within this process (two changes in one millisecond),
 * then at random (instances writing in the same millisecond).
 */
function entryId(now: number): string {
  sequence = (sequence + 1) % 36 ** 4;
  return `${now.toString(36).padStart(10, '0')}${sequence.toString(36).padStart(4, '0')}${randomBytes(6).toString('hex')}`;
}

/** Records one admin action (who, what, when); called in the same code path as the change. */
export async function recordAudit(
  db: Kysely<AuditTables>,
  entry: { actor: string; action: string; target: string; detail?: unknown },
  now = Date.now(),
): Promise<void> {
  await db
    .insertInto('authz_admin_audit')
    .values({
      id: entryId(now),
      at: now,
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute();
}

/** The newest entries first. */
export async function listAudit(db: Kysely<AuditTables>, limit = 100): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom('authz_admin_audit')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    at: new Date(Number(row.at)).toISOString(),
    actor: row.actor,
    action: row.action,
    target: row.target,
    detail: JSON.parse(row.detail) as unknown,
  }));
}
