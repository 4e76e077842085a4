import { beforeEach, describe, expect, it } from 'vitest';
import { MasterKey } from '../../src/platform/keys/index.js';
import { FlowStore } from '../../src/portal/store/flow-store.js';
import { SealedStore } from '../../src/portal/store/sealed-store.js';
import { type PortalTables, portalMigrations } from '../../src/portal/store/tables.js';
import { migratedDatabaseForEachTest } from '../helpers/database-hooks.js';
import { DIALECTS } from '../helpers/databases.js';

/** Pending browser issuances and one-time retrieval links, on both dialects. */
describe.each(DIALECTS)('portal sealed records on $dialect', (dialect) => {
  const database = migratedDatabaseForEachTest<PortalTables>(dialect, 'portal', portalMigrations);
  let clock = 1_000_000;
  const now = () => clock;
  const masterKey = new MasterKey(Buffer.alloc(32, 7));

  /** One-time retrieval links, valid 5 s. */
  const retrievalLinks = () =>
    new SealedStore<{ credential: string }>(database.db, masterKey, 'portal_retrievals', 5_000, now);

  beforeEach(() => {
    clock = 1_000_000;
  });

  it('keeps a pending issuance sealed, for its session only, taken once', async () => {
    const pending = new SealedStore<{ accessToken: string }>(
      database.db,
      masterKey,
      'portal_pending',
      5_000,
      now,
    );
    const id = await pending.save({ accessToken: 'secret-token' }, 'cookie-a');
    expect(
      JSON.stringify(await database.db.selectFrom('portal_pending').selectAll().execute()),
    ).not.toContain('secret-token');
    expect(await pending.peek(id, 'cookie-b')).toBeUndefined();
    expect(await pending.take(id, 'cookie-b')).toBeUndefined();
    expect(await pending.peek(id, 'cookie-a')).toEqual({ accessToken: 'secret-token' });
    expect(await pending.take(id, 'cookie-a')).toEqual({ accessToken: 'secret-token' });
    expect(await pending.take(id, 'cookie-a')).toBeUndefined();
    await expect(pending.save({ accessToken: 'x' })).rejects.toThrow('belongs to a session');
  });

  it('serves a retrieval link once and not after it expires; expired rows are purged', async () => {
    const links = retrievalLinks();
    const first = await links.save({ credential: 'c1' });
    const second = await links.save({ credential: 'c2' });
    expect(await links.take(first)).toEqual({ credential: 'c1' });
    expect(await links.take(first)).toBeUndefined();
    clock += 5_000;
    expect(await links.take(second)).toBeUndefined();
    await links.save({ credential: 'c3' });
    clock += 5_001;
    await new FlowStore(database.db, { sessionMs: 1, flowMs: 1 }, now).purgeExpired();
    expect(await database.db.selectFrom('portal_retrievals').selectAll().execute()).toEqual([]);
  });

  it('binds the sealed value to its id (a row copied under another id does not open)', async () => {
    const links = retrievalLinks();
    const id = await links.save({ credential: 'c1' });
    const row = await database.db
      .selectFrom('portal_retrievals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('portal_retrievals')
      .values({ ...row, id: 'copied' })
      .execute();
    await expect(links.take('copied')).rejects.toThrow();
  });
});
