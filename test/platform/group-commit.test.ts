import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase, sqliteGroupCommit } from '../../src/platform/db/index.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

interface Tables {
  items: { id: string };
}

const rowsOf = async (db: Kysely<Tables>) =>
  (await db.selectFrom('items').select('id').orderBy('id').execute()).map((r) => r.id);

describe.each(DIALECTS)('commit of a unit of writes on $dialect', ({ dialect, create }) => {
  let target: TestDatabase | undefined;
  let database: Database<Tables>;
  /** Another connection, as another process would hold. */
  let other: Database<Tables>;

  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    target = await create();
    database = openDatabase<Tables>(target.url);
    other = openDatabase<Tables>(target.url);
    await sql`create table items (id text primary key)`.execute(database.db);
  });
  afterEach(async () => {
    await database?.close();
    await other?.close();
    await target?.drop();
  });

  it('answers each caller after its writes are committed; a failing unit is rolled back alone', async () => {
    const insert = (id: string) => (trx: Kysely<Tables>) => trx.insertInto('items').values({ id }).execute();
    const first = database.commit(insert('a'));
    // On PostgreSQL each unit is a transaction of its own on the pool, and two of them may start in
    // either order: the second unit's duplicate of 'a' must come after 'a' is committed to fail. On
    // SQLite all three are one batch, in queue order.
    if (dialect === 'postgres') await first;
    const results = await Promise.allSettled([
      first,
      database.commit(async (trx: Kysely<Tables>) => {
        await insert('b')(trx);
        // The duplicate key fails the unit after it wrote 'b': 'b' must go with it.
        await insert('a')(trx);
      }),
      database.commit(async (trx: Kysely<Tables>) => {
        await insert('c')(trx);
        return 'c written';
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseFulfilledResult<string>).value).toBe('c written');
    // Committed: the other connection sees exactly the writes of the units that succeeded.
    expect(await rowsOf(other.db)).toEqual(['a', 'c']);
  });

  it('a unit that fails on purpose takes none of its writes with it, and the next units still commit', async () => {
    const refused = database.commit(async (trx: Kysely<Tables>) => {
      await trx.insertInto('items').values({ id: 'x' }).execute();
      throw new Error('refused by the caller');
    });
    const kept = database.commit((trx: Kysely<Tables>) =>
      trx.insertInto('items').values({ id: 'y' }).execute(),
    );
    await expect(refused).rejects.toThrow('refused by the caller');
    await kept;
    expect(await rowsOf(other.db)).toEqual(['y']);
  });

  it.runIf(dialect === 'sqlite')(
    'units queued together share one transaction: one commit (one fsync) for all of them',
    async () => {
      const seen: { own: string[]; outside: string[] }[] = [];
      await Promise.all(
        ['1', '2', '3'].map((id) =>
          database.commit(async (trx: Kysely<Tables>) => {
            await trx.insertInto('items').values({ id }).execute();
            // Inside the batch the earlier units' rows are there; outside, nothing is committed yet.
            seen.push({ own: await rowsOf(trx), outside: await rowsOf(other.db) });
          }),
        ),
      );
      expect(seen).toEqual([
        { own: ['1'], outside: [] },
        { own: ['1', '2'], outside: [] },
        { own: ['1', '2', '3'], outside: [] },
      ]);
      expect(await rowsOf(other.db)).toEqual(['1', '2', '3']);
    },
  );
});

describe('SQLite group commit while another process holds the write lock (issuer --workers)', () => {
  let target: TestDatabase | undefined;
  let database: Database<Tables>;
  /** A second connection on the file: what a sibling worker process holds. */
  let sibling: Database<Tables>;

  beforeEach(async () => {
    target = await DIALECTS[0].create();
    database = openDatabase<Tables>(target.url);
    sibling = openDatabase<Tables>(target.url);
    await sql`create table items (id text primary key)`.execute(database.db);
  });
  afterEach(async () => {
    await database?.close();
    await sibling?.close();
    await target?.drop();
  });

  it('waits for the lock without stopping the event loop, serves reads meanwhile, then commits', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = () => {};
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
    // The sibling takes the write lock and keeps it until released.
    const siblingCommit = sibling.commit(async (trx: Kysely<Tables>) => {
      await trx.insertInto('items').values({ id: 'sibling' }).execute();
      locked();
      await held;
    });
    await lockTaken;

    let settled = false;
    const ours = database
      .commit((trx: Kysely<Tables>) => trx.insertInto('items').values({ id: 'ours' }).execute())
      .finally(() => {
        settled = true;
      });
    // SQLite's own busy handler would sleep inside the synchronous BEGIN: no timer would fire and no
    // query would run until busy_timeout (5 s), and then the commit would fail with "database is locked".
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settled).toBe(false);
    expect(ticks).toBeGreaterThan(10);
    // This process's reads are not held behind the waiting writer (WAL: readers see the last commit).
    expect(await rowsOf(database.db)).toEqual([]);

    release();
    clearInterval(ticker);
    await siblingCommit;
    await ours;
    expect(await rowsOf(sibling.db)).toEqual(['ours', 'sibling']);
  });
});

describe('SQLite group commit with the WAL synced off the event loop (walSync)', () => {
  let target: TestDatabase | undefined;
  let database: Database<Tables>;

  beforeEach(async () => {
    target = await DIALECTS[0].create();
    database = openDatabase<Tables>(target.url);
    await sql`create table items (id text primary key)`.execute(database.db);
  });
  afterEach(async () => {
    await database?.close();
    await target?.drop();
  });

  it('holds the units queued during a sync until it ends, then commits them as one batch with one sync after it', async () => {
    // A sync that ends when told to, counting the committed rows it covers when it starts.
    const syncs: { rowsAtStart: string[]; end: () => void }[] = [];
    const commit = sqliteGroupCommit(database.db as Kysely<unknown>, {
      durability: {
        kind: 'walSync',
        sync: async () => {
          const rowsAtStart = await rowsOf(database.db);
          await new Promise<void>((end) => syncs.push({ rowsAtStart, end }));
        },
      },
    });
    const answered: string[] = [];
    const write = (id: string) =>
      commit((trx: Kysely<Tables>) => trx.insertInto('items').values({ id }).execute()).then(() => {
        answered.push(id);
      });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const until = async (done: () => boolean) => {
      while (!done()) await turn();
    };

    const first = write('a');
    await until(() => syncs.length === 1);
    // Queued in two later turns while a's sync runs: not committed yet, nobody answered.
    const during = [write('b')];
    await turn();
    during.push(write('c'));
    for (let i = 0; i < 5; i++) await turn();
    expect(syncs.length).toBe(1);
    expect(await rowsOf(database.db)).toEqual(['a']);
    expect(answered).toEqual([]);

    syncs[0]?.end();
    await first;
    expect(answered).toEqual(['a']);
    // b and c: one batch after a's sync, and one sync that started after their commit.
    await until(() => syncs.length === 2);
    expect(syncs[1]?.rowsAtStart).toEqual(['a', 'b', 'c']);
    expect(answered).toEqual(['a']);
    syncs[1]?.end();
    await Promise.all(during);
    expect(answered.sort()).toEqual(['a', 'b', 'c']);
  });
});
