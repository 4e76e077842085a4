import { describe, expect, it } from 'vitest';
import { findConsent, saveConsent } from '../../src/authz/storage/consents.js';
import { clearIdFailures, isBlocked, recordIdFailure } from '../../src/authz/storage/id-blocks.js';
import { authzMigrations } from '../../src/authz/storage/migrations.js';
import {
  consumeCode,
  findChallenge,
  type OtpChallenge,
  replaceCode,
  startChallenge,
} from '../../src/authz/storage/otp-challenges.js';
import { purgeSignIn, type SignInTables } from '../../src/authz/storage/sign-in-tables.js';
import { migratedDatabaseForEachTest } from '../helpers/database-hooks.js';
import { DIALECTS } from '../helpers/databases.js';

const T0 = 1_800_000_000_000;
const POLICY = { failures: 3, durationMs: 60_000 };

describe.each(DIALECTS)('sign-in storage on $dialect', ({ dialect, create }) => {
  const database = migratedDatabaseForEachTest<SignInTables>({ dialect, create }, 'authz', authzMigrations);

  it('blocks an ID after the configured failures within the window, until the block ends', async () => {
    expect(await recordIdFailure(database.db, 'h1', T0, POLICY)).toBe(false);
    expect(await recordIdFailure(database.db, 'h1', T0 + 1000, POLICY)).toBe(false);
    expect(await isBlocked(database.db, 'h1', T0 + 1000)).toBe(false);
    expect(await recordIdFailure(database.db, 'h1', T0 + 2000, POLICY)).toBe(true);
    expect(await isBlocked(database.db, 'h1', T0 + 2000)).toBe(true);
    expect(await isBlocked(database.db, 'h1', T0 + 2000 + 59_999)).toBe(true);
    expect(await isBlocked(database.db, 'h1', T0 + 2000 + 60_001)).toBe(false);
    expect(await isBlocked(database.db, 'other', T0)).toBe(false);
  });

  it('starts counting again after the window, and forgets failures on success', async () => {
    await recordIdFailure(database.db, 'h2', T0, POLICY);
    await recordIdFailure(database.db, 'h2', T0 + 1000, POLICY);
    // The window (60 s from the first failure) is over: this one counts as the first again.
    expect(await recordIdFailure(database.db, 'h2', T0 + 61_000, POLICY)).toBe(false);
    expect(await recordIdFailure(database.db, 'h2', T0 + 62_000, POLICY)).toBe(false);
    await clearIdFailures(database.db, 'h2');
    expect(await recordIdFailure(database.db, 'h2', T0 + 63_000, POLICY)).toBe(false);
  });

  it('counts concurrent failures atomically', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        recordIdFailure(database.db, 'h3', T0, { failures: 6, durationMs: 60_000 }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await isBlocked(database.db, 'h3', T0)).toBe(true);
  });

  const challenge = (uid: string): OtpChallenge => ({
    interaction_uid: uid,
    id_hash: 'h',
    account_id: 'a',
    channel: 'email',
    masked_destination: 'a•b@c•d.org',
    code_hash: 'c1',
    code_expires_at: T0 + 180_000,
    sends: 1,
    last_sent_at: T0,
    consumed: 0,
    expires_at: T0 + 900_000,
  });

  it('replaces a code only after the cooldown and within the send limit', async () => {
    await startChallenge(database.db, challenge('u1'));
    const update = (now: number, hash: string) =>
      replaceCode(database.db, 'u1', {
        codeHash: hash,
        codeExpiresAt: now + 180_000,
        now,
        maxSends: 3,
        cooldownMs: 30_000,
      });
    expect(await update(T0 + 29_000, 'c2')).toBe(false);
    expect(await update(T0 + 30_000, 'c2')).toBe(true);
    expect(await update(T0 + 60_000, 'c3')).toBe(true);
    expect(await update(T0 + 90_000, 'c4')).toBe(false);
    expect(await findChallenge(database.db, 'u1')).toMatchObject({
      code_hash: 'c3',
      sends: 3,
      last_sent_at: T0 + 60_000,
    });
  });

  it('consumes a code once; a restarted challenge replaces the old one', async () => {
    await startChallenge(database.db, challenge('u2'));
    expect(await consumeCode(database.db, 'u2', 'wrong')).toBe(false);
    const [a, b] = await Promise.all([
      consumeCode(database.db, 'u2', 'c1'),
      consumeCode(database.db, 'u2', 'c1'),
    ]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    await startChallenge(database.db, { ...challenge('u2'), code_hash: 'n1', account_id: null });
    expect(await findChallenge(database.db, 'u2')).toMatchObject({
      code_hash: 'n1',
      consumed: 0,
      account_id: null,
    });
  });

  it('remembers consents until they expire, adding to what was granted', async () => {
    await saveConsent(database.db, {
      accountHash: 'acc',
      clientId: 'c',
      granted: ['scope:openid'],
      now: T0,
      ttlMs: 1000,
    });
    await saveConsent(database.db, {
      accountHash: 'acc',
      clientId: 'c',
      granted: ['claim:email'],
      now: T0 + 10,
      ttlMs: 1000,
    });
    expect(await findConsent(database.db, 'acc', 'c', T0 + 500)).toEqual(
      new Set(['scope:openid', 'claim:email']),
    );
    expect(await findConsent(database.db, 'acc', 'other', T0)).toBeUndefined();
    expect(await findConsent(database.db, 'acc', 'c', T0 + 1010)).toBeUndefined();
  });

  it('purges expired rows and keeps live ones', async () => {
    await startChallenge(database.db, challenge('live'));
    await startChallenge(database.db, { ...challenge('old'), expires_at: T0 - 1 });
    await saveConsent(database.db, {
      accountHash: 'x',
      clientId: 'c',
      granted: ['a'],
      now: T0 - 10_000,
      ttlMs: 1,
    });
    await recordIdFailure(database.db, 'stale', T0 - 120_000, POLICY);
    await recordIdFailure(database.db, 'fresh', T0, POLICY);
    await purgeSignIn(database.db, T0);
    expect(await findChallenge(database.db, 'live')).toBeDefined();
    expect(await findChallenge(database.db, 'old')).toBeUndefined();
    expect(await database.db.selectFrom('authz_consents').selectAll().execute()).toEqual([]);
    const blocks = await database.db.selectFrom('authz_id_blocks').select('id_hash').execute();
    expect(blocks.map((b) => b.id_hash)).toEqual(['fresh']);
  });
});
