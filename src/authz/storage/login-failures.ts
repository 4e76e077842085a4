import { type Kysely, sql } from 'kysely';
import { prepareStatement } from '../../platform/db/prepared.js';
import type { AuthzTables } from './adapter.js';

/**
 * Counts a failed sign-in for an interaction and returns the count so far. The counter lives in
 * the database so that the cap holds when requests land on different instances.
 */
export async function recordLoginFailure(
  db: Kysely<AuthzTables>,
  interactionUid: string,
  expiresAt: number,
): Promise<number> {
  const row = await db
    .insertInto('login_failures')
    .values({ interaction_uid: interactionUid, failures: 1, expires_at: expiresAt })
    .onConflict((oc) =>
      oc.column('interaction_uid').doUpdateSet({ failures: sql`login_failures.failures + 1` }),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  return Number(row.failures);
}

const CLEAR = prepareStatement('delete from "login_failures" where "interaction_uid" = $1');

/** Forgets an interaction's failures (a prepared statement: it joins a group-commit unit it runs in). */
export async function clearLoginFailures(db: Kysely<AuthzTables>, interactionUid: string): Promise<void> {
  await CLEAR.run(db as Kysely<unknown>, [interactionUid]);
}
