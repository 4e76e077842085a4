import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { directSqliteOf } from '../../src/platform/db/group-commit.js';
import { type Database, openDatabase, prepareStatement } from '../../src/platform/db/index.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

interface Tables {
  spent: { value: string; n: number };
}

const SPEND = prepareStatement(
  'insert into "spent" ("value", "n") values ($1, $2) on conflict ("value") do nothing',
);
const READ = prepareStatement<{ value: string; n: number }>(
  'select "value", "n" from "spent" where "value" = $1',
);

const rows = async (db: Kysely<Tables>) =>
  (await db.selectFrom('spent').select(['value', 'n']).orderBy('value').execute()).map((r) => [
    r.value,
    Number(r.n),
  ]);

describe.each(DIALECTS)('hand-prepared statements on $dialect', ({ dialect, create }) => {
  let target: TestDatabase | undefined;
  let database: Database<Tables>;
  let other: Database<Tables>;

  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    target = await create();
    database = openDatabase<Tables>(target.url);
    other = openDatabase<Tables>(target.url);
    await sql`create table spent (value varchar(64) primary key, n integer not null)`.execute(database.db);
  });
  afterEach(async () => {
    await database?.close();
    await other?.close();
    await target?.drop();
  });

  it('inside commit units: a conditional insert sees the writes of the units before it, and commits with them', async () => {
    const spend = (value: string, n: number) =>
      database.commit(
        async (trx: Kysely<Tables>) => (await SPEND.run(trx as Kysely<unknown>, [value, n])).changes,
      );
    // Three units queued together: one SQLite batch, run in the order queued; three transactions on
    // PostgreSQL, where either of the two 'a' units may commit first — but only one of them inserts.
    const [firstA, secondA, b] = await Promise.all([spend('a', 1), spend('a', 2), spend('b', 3)]);
    expect([firstA + secondA, b]).toEqual([1, 1]);
    if (dialect === 'sqlite') expect([firstA, secondA]).toEqual([1, 0]);
    expect(await rows(other.db)).toEqual([
      ['a', firstA === 1 ? 1 : 2],
      ['b', 3],
    ]);
    // Outside a unit the same statement runs through Kysely on the database's own handle.
    expect((await SPEND.run(database.db as Kysely<unknown>, ['a', 9])).changes).toBe(0);
    expect((await READ.run(database.db as Kysely<unknown>, ['b'])).rows.map((r) => Number(r.n))).toEqual([3]);
  });

  it('a unit that throws after its prepared write takes the write with it; the next unit commits', async () => {
    const failed = database.commit(async (trx: Kysely<Tables>) => {
      await SPEND.run(trx as Kysely<unknown>, ['x', 1]);
      throw new Error('refused by the caller');
    });
    const kept = database.commit(async (trx: Kysely<Tables>) => SPEND.run(trx as Kysely<unknown>, ['y', 2]));
    await expect(failed).rejects.toThrow('refused by the caller');
    await kept;
    expect(await rows(other.db)).toEqual([['y', 2]]);
  });

  it.runIf(dialect === 'sqlite')(
    'runs straight on the SQLite connection only for a unit of a running batch',
    async () => {
      let during: unknown;
      let unitHandle: Kysely<unknown> | undefined;
      await database.commit(async (trx: Kysely<Tables>) => {
        unitHandle = trx as Kysely<unknown>;
        during = directSqliteOf(unitHandle);
      });
      expect(during).toBeDefined();
      // After its batch, the same handle is no longer a unit's; the database's own handle never is.
      expect(directSqliteOf(unitHandle as Kysely<unknown>)).toBeUndefined();
      expect(directSqliteOf(database.db as Kysely<unknown>)).toBeUndefined();
    },
  );
});

describe('prepareStatement', () => {
  it("refuses placeholders out of order (each $n once, in order, becomes SQLite's ?)", () => {
    expect(() => prepareStatement('select $2, $1')).toThrow(/out of order/);
    expect(() => prepareStatement('select $1, $1')).toThrow(/out of order/);
  });
});
