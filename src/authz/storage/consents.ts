import type { Kysely } from 'kysely';
import { prepareStatement } from '../../platform/db/prepared.js';
import type { SignInTables } from './sign-in-tables.js';

// Prepared statements (src/platform/db/prepared.ts): a sign-in reads the remembered consent on the
// consent page and reads and writes it in the consent post's unit of the group commit.
const FIND = prepareStatement<{ granted: string; expires_at: number | string }>(
  'select "granted", "expires_at" from "authz_consents" where "account_hash" = $1 and "client_id" = $2',
  { readOutsideUnits: true },
);
const SAVE = prepareStatement(
  'insert into "authz_consents" ("account_hash", "client_id", "granted", "expires_at") values ($1, $2, $3, $4) ' +
    'on conflict ("account_hash", "client_id") do update set "granted" = excluded."granted", "expires_at" = excluded."expires_at"',
);

/** What a person granted a client before, if that consent has not expired. */
export async function findConsent(
  db: Kysely<SignInTables>,
  accountHash: string,
  clientId: string,
  now: number,
): Promise<Set<string> | undefined> {
  const { rows } = await FIND.run(db as Kysely<unknown>, [accountHash, clientId]);
  const row = rows[0];
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
  await SAVE.run(db as Kysely<unknown>, [
    consent.accountHash,
    consent.clientId,
    granted,
    consent.now + consent.ttlMs,
  ]);
}
