import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { directSqliteOf } from '../../src/platform/db/group-commit.js';
import { type Database, openDatabase, prepareStatement } from '../../src/platform/db/index.js';
import { queryDuration } from '../../src/platform/metrics/index.js';
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

const READ_ANYWHERE = prepareStatement<{ value: string; n: number }>(
  'select "value", "n" from "spent" where "value" = $1',
  { readOutsideUnits: true },
);
const SPEND_ANYWHERE = prepareStatement(
  'insert into "spent" ("value", "n") values ($1, $2) on conflict ("value") do nothing',
  { readOutsideUnits: true },
);

/** Statements observed in attesta_db_query_duration_seconds for these labels. */
const observedCount = async (labels: Record<string, string>) =>
  (await queryDuration.get()).values.find(
    (v) =>
      v.metricName === 'attesta_db_query_duration_seconds_count' &&
      Object.entries(labels).every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value),
  )?.value ?? 0;

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

  it('a read allowed outside units reads what the database holds, observed as every statement is', async () => {
    await database.commit(async (trx: Kysely<Tables>) => SPEND.run(trx as Kysely<unknown>, ['r', 7]));
    const labels = { database: 'database', dialect, operation: 'select' };
    const before = await observedCount(labels);
    const read = await READ_ANYWHERE.run(database.db as Kysely<unknown>, ['r']);
    expect(read.rows.map((r) => [r.value, Number(r.n)])).toEqual([['r', 7]]);
    expect((await READ_ANYWHERE.run(database.db as Kysely<unknown>, ['nobody'])).rows).toEqual([]);
    expect(await observedCount(labels)).toBe(before + 2);
    // A write with the same option still goes through Kysely outside a unit.
    expect((await SPEND_ANYWHERE.run(database.db as Kysely<unknown>, ['w', 1])).changes).toBe(1);
    expect(await rows(other.db)).toEqual([
      ['r', 7],
      ['w', 1],
    ]);
  });

  it.runIf(dialect === 'sqlite')(
    'a read allowed outside units waits for a transaction open on the connection, as Kysely does',
    async () => {
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let inserted = () => {};
      const insertedNow = new Promise<void>((resolve) => {
        inserted = resolve;
      });
      const transaction = database.db.transaction().execute(async (trx) => {
        await trx.insertInto('spent').values({ value: 'u', n: 1 }).execute();
        inserted();
        await held;
      });
      await insertedNow;
      let seen: unknown[] | undefined;
      const read = READ_ANYWHERE.run(database.db as Kysely<unknown>, ['u']).then((r) => {
        seen = r.rows.map((row) => row.value);
      });
      // Straight on the connection it would see the uncommitted row at once; it waits instead.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen).toBeUndefined();
      release();
      await transaction;
      await read;
      expect(seen).toEqual(['u']);
    },
  );

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
