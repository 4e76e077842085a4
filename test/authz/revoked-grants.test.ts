import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authzMigrations } from '../../src/authz/storage/migrations.js';
import { RevokedGrants, type RevokedGrantTables } from '../../src/authz/storage/revoked-grants.js';
import { migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

/**
 * The list behind authz's revocation feed (docs/authz-protocol.md, "Grant revocation for resource
 * servers"), on both dialects with two handles on one database (two authz instances): what one
 * instance revokes, a reader of the other sees; cursors overlap by 60 s; full pages say `more`; a
 * grant is listed while a token of it can live, then purged.
 */
describe.each(DIALECTS)('revoked grants on $dialect', ({ dialect, create }) => {
  let testDb: TestDatabase | undefined;
  const closers: (() => Promise<void>)[] = [];
  let now = 10_000_000;
  let one: RevokedGrants;
  let two: RevokedGrants;

  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    testDb = await create();
    const handles = [
      openDatabase<RevokedGrantTables>(testDb.url),
      openDatabase<RevokedGrantTables>(testDb.url),
    ];
    for (const h of handles) closers.push(h.close);
    await migrateToLatest(handles[0]?.db as Kysely<unknown>, 'authz', authzMigrations);
    now = 10_000_000;
    // Kept 660 s: a 600 s access token plus a minute.
    one = new RevokedGrants(handles[0]?.db as Kysely<RevokedGrantTables>, 660, () => now);
    two = new RevokedGrants(handles[1]?.db as Kysely<RevokedGrantTables>, 660, () => now);
  });

  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await testDb?.drop();
  });

  it("one instance's revocation is read at the other, again within the overlap, and expires with its tokens", async () => {
    await one.record('grant-a');
    const first = await two.since(0);
    expect(first.grants).toEqual([{ id: 'grant-a', expiresAt: 10_000_000 + 660_000 }]);
    expect(first.more).toBe(false);
    // The cursor lies a minute back: a revocation committed late, with an older timestamp, still comes.
    expect(first.cursor).toBe(now - 60_000);
    now += 5_000;
    await one.record('grant-b');
    const next = await two.since(first.cursor);
    expect(next.grants.map((g) => g.id)).toEqual(['grant-a', 'grant-b']);
    // A minute later the cursor has moved past both: nothing new to send.
    now += 61_000;
    const later = await two.since(next.cursor);
    expect((await two.since(later.cursor)).grants.map((g) => g.id)).toEqual([]);
    // Past its tokens' lifetime a grant is neither served nor kept.
    now = 10_000_000 + 660_001;
    expect((await two.since(0)).grants.map((g) => g.id)).toEqual(['grant-b']);
    expect(await one.purgeExpired()).toBe(1);
    now += 5_000;
    expect(await one.purgeExpired()).toBe(1);
    expect((await two.since(0)).grants).toEqual([]);
  });

  it('a full page says more and continues from its last revocation', async () => {
    for (let i = 0; i < 5; i++) {
      now += 1;
      await one.record(`grant-${i}`);
    }
    const page = await two.since(0, 3);
    expect(page.grants.map((g) => g.id)).toEqual(['grant-0', 'grant-1', 'grant-2']);
    expect(page.more).toBe(true);
    const rest = await two.since(page.cursor, 3);
    expect(rest.grants.map((g) => g.id)).toEqual(['grant-2', 'grant-3', 'grant-4']);
    expect(rest.more).toBe(true);
    const end = await two.since(rest.cursor, 3);
    expect(end.grants.map((g) => g.id)).toEqual(['grant-4']);
    expect(end.more).toBe(false);
  });

  it('revoking again renews the entry', async () => {
    await one.record('grant-a');
    now += 100_000;
    await two.record('grant-a');
    const page = await one.since(0);
    expect(page.grants).toEqual([{ id: 'grant-a', expiresAt: now + 660_000 }]);
  });
});
