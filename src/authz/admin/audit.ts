import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';

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
}

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  target: string;
  detail: unknown;
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
      id: randomUUID(),
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
    .orderBy('at', 'desc')
    .orderBy('id')
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
