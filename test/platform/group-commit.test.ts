import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/platform/db/index.js';
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
    const results = await Promise.allSettled([
      database.commit(insert('a')),
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
