import type { Kysely, Selectable } from 'kysely';
import type { OtpChallengesTable, SignInTables } from './sign-in-tables.js';

export type OtpChallenge = Selectable<OtpChallengesTable>;

export async function findChallenge(
  db: Kysely<SignInTables>,
  interactionUid: string,
): Promise<OtpChallenge | undefined> {
  const row = await db
    .selectFrom('authz_otp_challenges')
    .selectAll()
    .where('interaction_uid', '=', interactionUid)
    .executeTakeFirst();
  return (
    row && {
      ...row,
      code_expires_at: Number(row.code_expires_at),
      last_sent_at: Number(row.last_sent_at),
      expires_at: Number(row.expires_at),
      sends: Number(row.sends),
      consumed: Number(row.consumed),
    }
  );
}

/** Starts (or restarts, for another ID) the challenge of a sign-in request with its first code. */
export async function startChallenge(db: Kysely<SignInTables>, challenge: OtpChallenge): Promise<void> {
  await db
    .deleteFrom('authz_otp_challenges')
    .where('interaction_uid', '=', challenge.interaction_uid)
    .execute();
  await db.insertInto('authz_otp_challenges').values(challenge).execute();
}

/**
 * Replaces the code (a resend) if the request still has sends left and the cooldown is over. The
 * conditions are in the UPDATE itself, so two instances cannot both resend. Returns whether it did.
 */
export async function replaceCode(
  db: Kysely<SignInTables>,
  interactionUid: string,
  update: { codeHash: string; codeExpiresAt: number; now: number; maxSends: number; cooldownMs: number },
): Promise<boolean> {
  const result = await db
    .updateTable('authz_otp_challenges')
    .set((eb) => ({
      code_hash: update.codeHash,
      code_expires_at: update.codeExpiresAt,
      last_sent_at: update.now,
      sends: eb('sends', '+', 1),
      consumed: 0,
    }))
    .where('interaction_uid', '=', interactionUid)
    .where('sends', '<', update.maxSends)
    .where('last_sent_at', '<=', update.now - update.cooldownMs)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks the code used; true only for the one request that used it (single use across instances). */
export async function consumeCode(
  db: Kysely<SignInTables>,
  interactionUid: string,
  codeHash: string,
): Promise<boolean> {
  const result = await db
    .updateTable('authz_otp_challenges')
    .set({ consumed: 1 })
    .where('interaction_uid', '=', interactionUid)
    .where('code_hash', '=', codeHash)
    .where('consumed', '=', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
