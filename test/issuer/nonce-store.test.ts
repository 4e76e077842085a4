import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type IssuerTables, issuerMigrations } from '../../src/issuer/database.js';
import { NonceStore } from '../../src/issuer/nonce-store.js';
import { type Database, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

/** What `masterKey.derive('issuer c_nonce')` gives every instance of one deployment. */
const SECRET = randomBytes(32);

describe.each(DIALECTS)('nonce store on $dialect', ({ dialect, create }) => {
  let testDb: TestDatabase | undefined;
  const open: Database<IssuerTables>[] = [];
  let db: Kysely<IssuerTables>;

  /** A second handle on the same database: what another issuer instance would hold. */
  function connect(url: string): Kysely<IssuerTables> {
    const database = openDatabase<IssuerTables>(url);
    open.push(database);
    return database.db;
  }

  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    testDb = await create();
    db = connect(testDb.url);
    await migrateToLatest(db as Kysely<unknown>, 'issuer', issuerMigrations);
  });

  afterEach(async () => {
    for (const database of open.splice(0)) await database.close();
    await testDb?.drop();
  });

  it('accepts a nonce it issued exactly once, and issuing writes nothing', async () => {
    const store = new NonceStore(db, 60, SECRET);
    const nonce = store.issue();
    // Unpadded base64url of 39 bytes; at least 128 bits of it random (OpenID4VCI 1.0 §7.2: unpredictable).
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{52}$/);
    expect(await db.selectFrom('issuer_spent_nonces').select('value').execute()).toEqual([]);
    expect(await store.isLive(nonce)).toBe(true);
    expect(await store.consume(nonce)).toBe(true);
    expect(await store.isLive(nonce)).toBe(false);
    expect(await store.consume(nonce)).toBe(false);
  });

  it('issues distinct nonces', () => {
    const store = new NonceStore(db, 60, SECRET);
    const issued = new Set(Array.from({ length: 2000 }, () => store.issue()));
    expect(issued.size).toBe(2000);
  });

  it('refuses what it never issued: made up, forged, tampered, or MACd under another secret', async () => {
    const store = new NonceStore(db, 60, SECRET);
    const genuine = store.issue();
    const bytes = Buffer.from(genuine, 'base64url');
    const flip = (at: number) => {
      const copy = Buffer.from(bytes);
      copy[at] = (copy[at] as number) ^ 1;
      return copy.toString('base64url');
    };
    const laterExpiry = Buffer.from(bytes);
    laterExpiry.writeUIntBE(laterExpiry.readUIntBE(1, 6) + 3_600_000, 1, 6);
    const refused = [
      '',
      'never-issued',
      'A'.repeat(52),
      flip(0), // version
      flip(3), // expiry
      laterExpiry.toString('base64url'), // an attacker extending its life
      flip(10), // random part
      flip(38), // MAC
      `${genuine.slice(0, 51)}=`, // not base64url
      `${genuine}A`,
      new NonceStore(db, 60, randomBytes(32)).issue(), // another deployment's
    ];
    for (const value of refused) {
      expect(await store.isLive(value), value).toBe(false);
      expect(await store.consume(value), value).toBe(false);
    }
    expect(await db.selectFrom('issuer_spent_nonces').select('value').execute()).toEqual([]);
    expect(await store.consume(genuine)).toBe(true);
  });

  it('refuses an expired nonce', async () => {
    let now = 1_000_000;
    const store = new NonceStore(db, 60, SECRET, () => now);
    const nonce = store.issue();
    now += 59_999;
    expect(await store.isLive(nonce)).toBe(true);
    now += 1;
    expect(await store.isLive(nonce)).toBe(false);
    expect(await store.consume(nonce)).toBe(false);
  });

  it('keeps a nonce whose consuming transaction rolled back', async () => {
    const store = new NonceStore(db, 60, SECRET);
    const nonce = store.issue();
    await expect(
      db.transaction().execute(async (trx) => {
        expect(await store.consumeIn(trx, nonce)).toBe(true);
        throw new Error('issuance failed');
      }),
    ).rejects.toThrow('issuance failed');
    expect(await store.consume(nonce)).toBe(true);
  });

  it('accepts a nonce issued by another instance, and only one instance wins a race', async () => {
    const url = (testDb as TestDatabase).url;
    const instances = [
      new NonceStore(db, 60, SECRET),
      ...[1, 2, 3].map(() => new NonceStore(connect(url), 60, Buffer.from(SECRET))),
    ];
    for (let round = 0; round < 10; round++) {
      const nonce = (instances[round % instances.length] as NonceStore).issue();
      const results = await Promise.all(instances.map((store) => store.consume(nonce)));
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('sweeps spent nonces once they have expired and keeps the others', async () => {
    let now = 5_000_000;
    const store = new NonceStore(db, 60, SECRET, () => now);
    const early = [store.issue(), store.issue()];
    now += 30_000;
    const late = store.issue();
    for (const nonce of [...early, late]) expect(await store.consume(nonce)).toBe(true);
    now += 45_000; // the first two are now expired, the third is not
    // In bounded transactions: one row per batch and one batch per sweep, the next sweep takes the next.
    expect(await store.sweep({ batch: 1, batches: 1 })).toBe(1);
    expect(await store.sweep({ batch: 1, batches: 1 })).toBe(1);
    expect(await store.sweep()).toBe(0);
    const rows = await db.selectFrom('issuer_spent_nonces').select('value').execute();
    expect(rows.map((r) => r.value)).toEqual([late]);
    expect(await store.consume(late)).toBe(false); // still spent
  });

  it('sweeps opportunistically while issuing', async () => {
    let now = 9_000_000;
    const store = new NonceStore(db, 60, SECRET, () => now);
    expect(await store.consume(store.issue())).toBe(true);
    now += 50_000;
    store.issue(); // within a minute of the start: no sweep
    expect(await db.selectFrom('issuer_spent_nonces').select('value').execute()).toHaveLength(1);
    now += 70_000;
    store.issue(); // two minutes on: sweeps the expired spent one, off the caller's path
    await expect
      .poll(async () => (await db.selectFrom('issuer_spent_nonces').select('value').execute()).length)
      .toBe(0);
  });
});
