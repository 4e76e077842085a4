import { compactVerify, createLocalJWKSet } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { ActiveKeys } from '../../../src/issuer/formats/keys.js';
import {
  KeyStore,
  type KeyTables,
  MasterKey,
  signCompactJws,
  signingKeysMigration,
} from '../../../src/platform/keys/index.js';
import { migratedDatabaseForEachTest } from '../../helpers/database-hooks.js';
import { DIALECTS } from '../../helpers/databases.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const master = new MasterKey(Buffer.alloc(32, 7));

describe.each(DIALECTS)('rotation with overlap on $dialect', ({ dialect, create }) => {
  const database = migratedDatabaseForEachTest<KeyTables>({ dialect, create }, 'test', {
    '0001_signing_keys': signingKeysMigration,
  });
  let now = Date.UTC(2027, 0, 1);
  const clock = () => now;

  beforeEach(() => {
    now = Date.UTC(2027, 0, 1);
  });

  it('a rotated-in key is published through its lead time and signs only from its activation', async () => {
    const store = new KeyStore(database.db, master, { clock });
    const current = await store.ensureActive('issuer-sd-jwt', 'ES256');
    const cachedByVerifier = await store.publicJwks('issuer-sd-jwt');
    const next = await store.create('issuer-sd-jwt', 'ES256', { activatesAt: now + HOUR });

    // During the lead time: both published, the current key still signs.
    expect((await store.publicJwks('issuer-sd-jwt')).keys.map((k) => k.kid).sort()).toEqual(
      [current.kid, next.kid].sort(),
    );
    expect((await store.signing('issuer-sd-jwt'))?.key.kid).toBe(current.kid);
    const signedBefore = await signCompactJws(current, { typ: 'JWT' }, { n: 1 });

    // A verifier that refreshed its JWKS at any time during the lead time verifies the first
    // credential the new key signs; the one that cached before the rotation verifies older ones.
    const refreshedDuringLead = await store.publicJwks('issuer-sd-jwt');
    now += HOUR;
    expect((await store.signing('issuer-sd-jwt'))?.key.kid).toBe(next.kid);
    const signedAfter = await signCompactJws(next, { typ: 'JWT' }, { n: 2 });
    await expect(compactVerify(signedAfter, createLocalJWKSet(refreshedDuringLead))).resolves.toBeTruthy();
    await expect(compactVerify(signedBefore, createLocalJWKSet(cachedByVerifier))).resolves.toBeTruthy();
    // After the switch the old key is still published: what it signed still verifies.
    await expect(
      compactVerify(signedBefore, createLocalJWKSet(await store.publicJwks('issuer-sd-jwt'))),
    ).resolves.toBeTruthy();
    const listed = await store.records('issuer-sd-jwt');
    expect(listed.find((r) => r.kid === current.kid)?.lifecycle).toMatchObject({
      state: 'retired',
      retiredAt: now,
    });
  });

  it('a retired key stays published while anything it signed is valid, then drops out', async () => {
    const store = new KeyStore(database.db, master, { clock });
    const old = await store.ensureActive('issuer-w3c-eddsa', 'EdDSA');
    // It signed a credential valid for 30 days.
    await store.noteSigned(old.kid, now + 30 * DAY);
    now += HOUR;
    const fresh = await store.create('issuer-w3c-eddsa', 'EdDSA');
    const kids = async () => (await store.publicJwks('issuer-w3c-eddsa')).keys.map((k) => k.kid).sort();
    now += 29 * DAY;
    expect(await kids()).toEqual([old.kid, fresh.kid].sort());
    now += 2 * DAY;
    expect(await kids()).toEqual([fresh.kid]);
    // Not revoked: still found by kid (a listing shows it as expired).
    expect((await store.records('issuer-w3c-eddsa')).find((r) => r.kid === old.kid)?.lifecycle.state).toBe(
      'expired',
    );
  });

  it('a retired key that recorded nothing stays published a day and an hour (status list tokens live a day), then drops out', async () => {
    const store = new KeyStore(database.db, master, { clock });
    const old = await store.ensureActive('issuer-sd-jwt', 'ES256');
    now += 1;
    const fresh = await store.create('issuer-sd-jwt', 'ES256');
    const kids = async () => (await store.publicJwks('issuer-sd-jwt')).keys.map((k) => k.kid).sort();
    // A status list token signed just before the switch is valid 24 h (src/issuer/status/publisher.ts).
    now += 24 * HOUR;
    expect(await kids()).toEqual([old.kid, fresh.kid].sort());
    now += HOUR;
    expect(await kids()).toEqual([fresh.kid]);
  });

  it('signed_until only moves forward, rounded up to a day: one write per key per day, not per credential', async () => {
    const store = new KeyStore(database.db, master, { clock });
    const key = await store.ensureActive('issuer-sd-jwt', 'ES256');
    const read = async () =>
      Number(
        (
          await database.db
            .selectFrom('signing_keys')
            .select('signed_until')
            .where('kid', '=', key.kid)
            .executeTakeFirst()
        )?.signed_until,
      );
    await store.noteSigned(key.kid, now + 10 * DAY + 1);
    expect(await read()).toBe(Math.ceil((now + 10 * DAY + 1) / DAY) * DAY);
    await store.noteSigned(key.kid, now + 5 * DAY);
    expect(await read()).toBe(Math.ceil((now + 10 * DAY + 1) / DAY) * DAY);
    // Another instance that knows a later expiry moves it on; an earlier one never moves it back.
    await new KeyStore(database.db, master, { clock }).noteSigned(key.kid, now + 40 * DAY);
    await store.noteSigned(key.kid, now + 11 * DAY);
    expect(await read()).toBe(now + 40 * DAY);
  });

  it('a revoked key leaves every published set at once and never signs', async () => {
    const store = new KeyStore(database.db, master, { clock });
    const compromised = await store.ensureActive('issuer-sd-jwt', 'ES256');
    await store.noteSigned(compromised.kid, now + 365 * DAY);
    now += 1;
    const replacement = await store.create('issuer-sd-jwt', 'ES256');
    await store.revoke(compromised.kid);
    expect((await store.publicJwks('issuer-sd-jwt')).keys.map((k) => k.kid)).toEqual([replacement.kid]);
    expect((await store.signing('issuer-sd-jwt'))?.key.kid).toBe(replacement.kid);
    expect(await store.get(compromised.kid)).toBeUndefined();
  });

  it('an instance that read its keys before the rotation learns of it within its cache interval (a minute)', async () => {
    const store = new KeyStore(database.db, master, { clock });
    const active = new ActiveKeys(store, clock);
    const first = await active.get('issuer-w3c-es256', 'ES256');
    const next = await store.create('issuer-w3c-es256', 'ES256', { activatesAt: now + 10_000 });
    // Within the lead time (and the cache interval) the old key signs.
    now += 9_999;
    expect((await active.get('issuer-w3c-es256', 'ES256')).kid).toBe(first.kid);
    now += 1;
    // This cache was filled before the rotation existed; a fresh one sees the switch at once…
    const later = new ActiveKeys(store, clock);
    expect((await later.get('issuer-w3c-es256', 'ES256')).kid).toBe(next.kid);
    // …and the old one within a minute: with a lead time over a minute every instance has seen the
    // pending key before it activates (next test), so all switch at the same moment.
    now += 60_000;
    expect((await active.get('issuer-w3c-es256', 'ES256')).kid).toBe(next.kid);
  });

  it('a cache that saw the pending key switches exactly at its activation', async () => {
    const store = new KeyStore(database.db, master, { clock });
    const first = await store.ensureActive('issuer-w3c-es256', 'ES256');
    const next = await store.create('issuer-w3c-es256', 'ES256', { activatesAt: now + 10_000 });
    const active = new ActiveKeys(store, clock);
    expect((await active.get('issuer-w3c-es256', 'ES256')).kid).toBe(first.kid);
    now += 10_000;
    expect((await active.get('issuer-w3c-es256', 'ES256')).kid).toBe(next.kid);
  });
});
