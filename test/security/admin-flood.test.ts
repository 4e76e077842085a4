import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/index.js';
import { http } from '../issuer/helpers/protocol-client.js';
import { type AdminSystem, startAdminSystem } from './admin-system.js';

/**
 * Issue 15: an anonymous flood of the admin APIs wrote one audit row per call (the fuzzer alone
 * wrote 2,152). Now the admin routes are rate-limited per address before any credential is looked
 * at, and refusals are counted per minute, route, reason and source.
 */
const LIMIT = 5;
const FLOOD = 60;
let sys: AdminSystem;

beforeAll(async () => {
  sys = await startAdminSystem({ admin: { rateLimit: { max: LIMIT, windowSeconds: 60 } } });
});
afterAll(async () => {
  await sys?.stop();
});

/** Row counts straight from the database (the admin API itself is rate-limited for us too). */
async function rows(url: string, tables: string[]): Promise<Record<string, number>> {
  const database = openDatabase<unknown>(url);
  try {
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const result = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(
        database.db as Kysely<unknown>,
      );
      counts[table] = Number(result.rows[0]?.n ?? 0);
    }
    return counts;
  } finally {
    await database.close();
  }
}

async function calls(table: string, url: string): Promise<number> {
  const database = openDatabase<unknown>(url);
  try {
    const result = await sql<{
      n: number;
    }>`select coalesce(sum(calls), 0) as n from ${sql.table(table)}`.execute(database.db as Kysely<unknown>);
    return Number(result.rows[0]?.n ?? 0);
  } finally {
    await database.close();
  }
}

describe.each([
  {
    service: 'issuer',
    path: '/admin/configurations',
    audit: 'issuer_admin_audit',
    refusals: 'issuer_admin_refusals',
  },
  { service: 'authz', path: '/admin/clients', audit: 'authz_admin_audit', refusals: 'authz_admin_refusals' },
] as const)('an anonymous flood of the $service admin API', ({ service, path, audit, refusals }) => {
  it(`is cut after ${LIMIT} calls with 429 + Retry-After, and adds no audit row`, async () => {
    const base = service === 'issuer' ? sys.issuer : sys.authz;
    const database = sys.config[service].database;
    const before = await rows(database, [audit, refusals]);
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof http>> | undefined;
    for (let i = 0; i < FLOOD; i++) {
      const result = await http(`${base}${path}`, {
        method: i % 2 ? 'POST' : 'GET',
        headers: { 'content-type': 'application/json', authorization: `Bearer forged-${i}` },
        body: i % 2 ? '{}' : undefined,
      });
      statuses.push(result.status);
      if (result.status === 429) limited = result;
    }
    expect(statuses.slice(0, LIMIT).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(LIMIT).every((s) => s === 429)).toBe(true);
    expect(limited?.body).toEqual({
      error: 'rate_limited',
      error_description: 'too many admin requests, retry later',
    });
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even a valid admin credential waits its turn: the limit comes before authentication.
    const admin = service === 'issuer' ? `Bearer ${sys.apiKey}` : `Bearer ${await sys.token('authz-admin')}`;
    expect((await http(`${base}${path}`, { headers: { authorization: admin } })).status).toBe(429);

    // Counted, not stored one by one: written within the flush interval (5 s), at most a few rows.
    let counted = 0;
    for (let waited = 0; waited < 8000 && counted < FLOOD + 1; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      counted = await calls(refusals, database);
    }
    const after = await rows(database, [audit, refusals]);
    expect(after[audit]).toBe(before[audit]);
    expect((after[refusals] ?? 0) - (before[refusals] ?? 0)).toBeLessThanOrEqual(4);
    expect(counted).toBe(FLOOD + 1);
  });
});
