import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type IssuerTables, issuerMigrations } from '../../src/issuer/database.js';
import { NonceStore } from '../../src/issuer/nonce-store.js';
import { type Database, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

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

  it('accepts a nonce it issued exactly once', async () => {
    const store = new NonceStore(db, 60);
    const nonce = await store.issue();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await store.consume(nonce)).toBe(true);
    expect(await store.consume(nonce)).toBe(false);
  });

  it('refuses a nonce it never issued', async () => {
    const store = new NonceStore(db, 60);
    await store.issue();
    expect(await store.consume('never-issued')).toBe(false);
    expect(await store.consume('')).toBe(false);
  });

  it('refuses an expired nonce', async () => {
    let now = 1_000_000;
    const store = new NonceStore(db, 60, () => now);
    const nonce = await store.issue();
    now += 60_000;
    expect(await store.consume(nonce)).toBe(false);
  });

  it('accepts a nonce issued by another instance, and only one instance wins a race', async () => {
    const url = (testDb as TestDatabase).url;
    const instances = [new NonceStore(db, 60), ...[1, 2, 3].map(() => new NonceStore(connect(url), 60))];
    for (let round = 0; round < 10; round++) {
      const nonce = await (instances[round % instances.length] as NonceStore).issue();
      const results = await Promise.all(instances.map((store) => store.consume(nonce)));
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('sweeps expired rows and keeps live ones', async () => {
    let now = 5_000_000;
    const store = new NonceStore(db, 60, () => now);
    await store.issue();
    await store.issue();
    now += 30_000;
    const live = await store.issue();
    now += 45_000; // the first two are now expired, the third is not
    expect(await store.sweep()).toBe(2);
    const rows = await db.selectFrom('issuer_nonces').select('value').execute();
    expect(rows.map((r) => r.value)).toEqual([live]);
    expect(await store.consume(live)).toBe(true);
  });

  it('sweeps opportunistically while issuing', async () => {
    let now = 9_000_000;
    const store = new NonceStore(db, 60, () => now);
    await store.issue(); // sweeps (first time) then inserts
    now += 120_000;
    await store.issue(); // more than a minute later: sweeps the expired one
    const rows = await db.selectFrom('issuer_nonces').select('value').execute();
    expect(rows).toHaveLength(1);
  });
});
