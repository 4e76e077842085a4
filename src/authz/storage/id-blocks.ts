import { type Kysely, sql } from 'kysely';
import { prepareStatement } from '../../platform/db/prepared.js';
import type { SignInTables } from './sign-in-tables.js';

export interface LockoutPolicy {
  /** Failed attempts within the window that block the ID. */
  failures: number;
  /** Length of the counting window and of the block, milliseconds. */
  durationMs: number;
}

const BLOCKED_UNTIL = prepareStatement<{ blocked_until: number | string | null }>(
  'select "blocked_until" from "authz_id_blocks" where "id_hash" = $1',
  { readOutsideUnits: true },
);

/** Until when (epoch ms) an individual ID (by keyed hash) is blocked, when it is blocked at `now`. */
export async function blockedUntil(
  db: Kysely<SignInTables>,
  idHash: string,
  now: number,
): Promise<number | undefined> {
  const row = (await BLOCKED_UNTIL.run(db as Kysely<unknown>, [idHash])).rows[0];
  const until = row?.blocked_until == null ? undefined : Number(row.blocked_until);
  return until !== undefined && until > now ? until : undefined;
}

/** Whether an individual ID (by keyed hash) is blocked at `now`. */
export async function isBlocked(db: Kysely<SignInTables>, idHash: string, now: number): Promise<boolean> {
  return (await blockedUntil(db, idHash, now)) !== undefined;
}

/**
 * Counts a failed attempt for an ID (known or not: blocking only known IDs would reveal which
 * exist) and blocks it once the count within the window reaches the policy's limit. One atomic
 * upsert, so concurrent failures on several instances all count. Returns whether it is now blocked.
 */
export async function recordIdFailure(
  db: Kysely<SignInTables>,
  idHash: string,
  now: number,
  policy: LockoutPolicy,
): Promise<boolean> {
  const windowEnd = now + policy.durationMs;
  const row = await db
    .insertInto('authz_id_blocks')
    .values({
      id_hash: idHash,
      failures: 1,
      window_ends_at: windowEnd,
      blocked_until: policy.failures <= 1 ? windowEnd : null,
    })
    .onConflict((oc) =>
      oc.column('id_hash').doUpdateSet({
        failures: sql`case when authz_id_blocks.window_ends_at < ${now} then 1 else authz_id_blocks.failures + 1 end`,
        window_ends_at: sql`case when authz_id_blocks.window_ends_at < ${now} then ${windowEnd} else authz_id_blocks.window_ends_at end`,
      }),
    )
    .returning(['failures', 'blocked_until'])
    .executeTakeFirstOrThrow();
  if (Number(row.failures) < policy.failures) return false;
  await db
    .updateTable('authz_id_blocks')
    .set({ blocked_until: now + policy.durationMs })
    .where('id_hash', '=', idHash)
    .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<', now)]))
    .execute();
  return true;
}

/** A successful sign-in forgets the ID's failures (not an active block: that is checked first). */
const CLEAR = prepareStatement('delete from "authz_id_blocks" where "id_hash" = $1');

/**
 * A successful sign-in forgets the ID's failures (not an active block: that is checked first). A
 * prepared statement: it joins a group-commit unit it runs in.
 */
export async function clearIdFailures(db: Kysely<SignInTables>, idHash: string): Promise<void> {
  await CLEAR.run(db as Kysely<unknown>, [idHash]);
}
