import type { Kysely } from 'kysely';
import type { SignInTables } from './sign-in-tables.js';

/** What a person granted a client before, if that consent has not expired. */
export async function findConsent(
  db: Kysely<SignInTables>,
  accountHash: string,
  clientId: string,
  now: number,
): Promise<Set<string> | undefined> {
  const row = await db
    .selectFrom('authz_consents')
    .select(['granted', 'expires_at'])
    .where('account_hash', '=', accountHash)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (!row || Number(row.expires_at) <= now) return undefined;
  return new Set(JSON.parse(row.granted) as string[]);
}

/** Remembers a consent (adding to what was granted before while that is still valid). */
export async function saveConsent(
  db: Kysely<SignInTables>,
  consent: { accountHash: string; clientId: string; granted: Iterable<string>; now: number; ttlMs: number },
): Promise<void> {
  const previous = await findConsent(db, consent.accountHash, consent.clientId, consent.now);
  const granted = JSON.stringify([...new Set([...(previous ?? []), ...consent.granted])].sort());
  const expiresAt = consent.now + consent.ttlMs;
  await db
    .insertInto('authz_consents')
    .values({
      account_hash: consent.accountHash,
      client_id: consent.clientId,
      granted,
      expires_at: expiresAt,
    })
    .onConflict((oc) =>
      oc.columns(['account_hash', 'client_id']).doUpdateSet({ granted, expires_at: expiresAt }),
    )
    .execute();
}
