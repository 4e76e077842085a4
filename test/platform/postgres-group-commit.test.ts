import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase, prepareStatement } from '../../src/platform/db/index.js';
import { createPostgresDatabase, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

/**
 * The PostgreSQL group commit (src/platform/db/postgres-group-commit.ts) on the real server: the units
 * of one turn go as one transaction on one pipelined connection, and a unit that fails — by throwing,
 * by a statement error (which aborts the whole PostgreSQL transaction) or at COMMIT — must not lose or
 * half-write any other unit's writes.
 */

interface Tables {
  spent: { value: string; n: number };
}

const SPEND = prepareStatement(
  'insert into "spent" ("value", "n") values ($1, $2) on conflict ("value") do nothing',
);
const TRANSACTION_ID = prepareStatement<{ id: string }>('select txid_current()::text as "id"');
/** An unconditional write whose result nobody reads: in a batch, sent with the others before COMMIT. */
const LOG = prepareStatement('insert into "logged" ("unit", "step", "note") values ($1, $2, $3)', {
  deferrable: true,
});

/** A unit as the issuer writes a nonce: the conditional insert, and a refusal when another spent it. */
const spendOnce =
  (value: string, n = 1) =>
  async (trx: Kysely<unknown>) => {
    if ((await SPEND.run(trx, [value, n])).changes !== 1) throw new Error(`${value} already spent`);
    return value;
  };

describe('PostgreSQL group commit', () => {
  let target: TestDatabase | undefined;
  let database: Database<Tables>;
  /** A second instance on the same database (its own pools and batches). */
  let other: Database<Tables>;

  const committedValues = async () =>
    (await other.db.selectFrom('spent').select('value').orderBy('value').execute()).map((r) => r.value);

  /**
   * Makes a COMMIT of a transaction that inserted into `table` wait for advisory lock `lock`, which a
   * second session holds (a deferred constraint trigger takes it at COMMIT), and runs `body` with
   * `waitingCommits` (COMMITs now waiting for it) and `release` (lets them through).
   */
  async function withCommitHeld(
    table: string,
    lock: number,
    body: (held: { waitingCommits: () => Promise<number>; release: () => Promise<void> }) => Promise<void>,
  ): Promise<void> {
    const hold = `hold_${table}`;
    await sql`create function ${sql.raw(hold)}() returns trigger language plpgsql as $$
      begin perform pg_advisory_xact_lock(${sql.raw(String(lock))}); return null; end $$`.execute(
      database.db,
    );
    await sql`create constraint trigger ${sql.raw(hold)} after insert on ${sql.table(table)} deferrable initially deferred
      for each row execute function ${sql.raw(hold)}()`.execute(database.db);
    const holder = new pg.Client({ connectionString: target?.url });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1)', [lock]);
      const waitingCommits = async () =>
        Number(
          (
            await holder.query<{ n: string }>(
              "select count(*) as n from pg_stat_activity where datname = current_database() and wait_event = 'advisory' and query = 'commit'",
            )
          ).rows[0]?.n,
        );
      await body({
        waitingCommits,
        release: async () => {
          await holder.query('select pg_advisory_unlock($1)', [lock]);
        },
      });
    } finally {
      await holder.end();
    }
  }

  beforeEach(async (context) => {
    if (!(await isPostgresAvailable())) return context.skip();
    target = await createPostgresDatabase();
    database = openDatabase<Tables>(target.url);
    other = openDatabase<Tables>(target.url);
    await sql`create table spent (value varchar(64) primary key, n integer not null check (n >= 0))`.execute(
      database.db,
    );
    await sql`create table logged (unit integer not null, step integer not null check (step >= 0), note text,
      primary key (unit, step))`.execute(database.db);
  });
  afterEach(async () => {
    await database?.close();
    await other?.close();
    await target?.drop();
  });

  it('the units of one turn commit as one transaction; no caller is answered before its COMMIT has returned', async () => {
    // COMMIT waits for an advisory lock the test holds, in a deferred trigger: the COMMIT is then under way.
    await withCommitHeld('spent', 4242, async ({ waitingCommits, release }) => {
      const answered: number[] = [];
      const units = Array.from({ length: 20 }, (_, i) =>
        database
          .commit(async (trx) => {
            await SPEND.run(trx, [`v${String(i).padStart(2, '0')}`, i]);
            return (await TRANSACTION_ID.run(trx, [])).rows[0]?.id;
          })
          .then((id) => {
            answered.push(i);
            return id;
          }),
      );
      await expect.poll(waitingCommits, { timeout: 10_000 }).toBe(1);
      // Every unit has written and the one COMMIT is waiting: nothing is visible elsewhere, nobody is answered.
      expect(await committedValues()).toEqual([]);
      expect(answered).toEqual([]);
      await release();
      const ids = await Promise.all(units);
      expect(new Set(ids).size).toBe(1);
      expect(await committedValues()).toHaveLength(20);
    });
  });

  it('a unit that throws after writing takes only its own writes with it', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        database.commit(async (trx) => {
          await SPEND.run(trx, [`v${i}`, i]);
          if (i === 4) throw new Error('unit 4 refused');
          return i;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(results.map((_, i) => (i === 4 ? 'rejected' : 'fulfilled')));
    expect((results[4] as PromiseRejectedResult).reason.message).toBe('unit 4 refused');
    expect(await committedValues()).toEqual(['v0', 'v1', 'v2', 'v3', 'v5', 'v6', 'v7', 'v8', 'v9']);
  });

  it("a statement error in one unit (it aborts the whole PostgreSQL transaction) loses none of the others' writes", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        database.commit(async (trx) => {
          await SPEND.run(trx, [`a${i}`, 1]);
          // Unit 6 breaks the table's check: the server refuses the statement.
          await SPEND.run(trx, [`b${i}`, i === 6 ? -1 : 1]);
          return i;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(results.map((_, i) => (i === 6 ? 'rejected' : 'fulfilled')));
    expect((results[6] as PromiseRejectedResult).reason.code).toBe('23514');
    const expected = [0, 1, 2, 3, 4, 5, 7, 8, 9].flatMap((i) => [`a${i}`, `b${i}`]).sort();
    expect(await committedValues()).toEqual(expected);
  });

  it("a unit's own Kysely statements are in the batch's transaction too, and rolled back with the unit", async () => {
    const results = await Promise.allSettled([
      database.commit(async (trx) => {
        await (trx as Kysely<Tables>).insertInto('spent').values({ value: 'kysely-kept', n: 1 }).execute();
        return (await TRANSACTION_ID.run(trx, [])).rows[0]?.id;
      }),
      database.commit(async (trx) => {
        await (trx as Kysely<Tables>).insertInto('spent').values({ value: 'kysely-dropped', n: 1 }).execute();
        await SPEND.run(trx, ['prepared-dropped', 1]);
        throw new Error('refused');
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(await committedValues()).toEqual(['kysely-kept']);
  });

  it('one value spent at once by many units, in one batch and at two instances: exactly one succeeds', async () => {
    const values = Array.from({ length: 30 }, (_, i) => `nonce-${i}`);
    const attempts = values.flatMap((value) =>
      [database, database, database, other, other, other].map((instance) =>
        instance.commit(spendOnce(value)).then(
          () => ({ value, ok: true, message: undefined as string | undefined }),
          (error: Error) => ({ value, ok: false, message: error.message as string | undefined }),
        ),
      ),
    );
    const outcomes = await Promise.all(attempts);
    for (const value of values) {
      const mine = outcomes.filter((o) => o.value === value);
      expect(mine.filter((o) => o.ok)).toHaveLength(1);
      expect(mine.filter((o) => !o.ok).map((o) => o.message)).toEqual(
        Array(5).fill(`${value} already spent`),
      );
    }
    expect(await committedValues()).toEqual([...values].sort());
  });

  it('a COMMIT the server refuses (a deferred unique key) fails only the unit that broke it', async () => {
    await sql`create table deferred_once (value text, unique (value) deferrable initially deferred)`.execute(
      database.db,
    );
    const insert = (value: string) => (trx: Kysely<unknown>) =>
      sql`insert into deferred_once (value) values (${value})`.execute(trx);
    const results = await Promise.allSettled([
      database.commit(insert('x')),
      database.commit(insert('x')),
      database.commit(insert('y')),
    ]);
    // The batch's COMMIT is refused (23505); run alone, one x and the y commit, the other x is refused.
    const [first, second, y] = results;
    expect([first?.status, second?.status].sort()).toEqual(['fulfilled', 'rejected']);
    const refused = [first, second].find((r) => r?.status === 'rejected') as PromiseRejectedResult;
    // As for two transactions of their own committing at once: a unique violation, or a deadlock when both
    // reach their COMMIT's check together.
    expect(['23505', '40P01']).toContain(refused.reason.code);
    expect(y?.status).toBe('fulfilled');
    const rows = await sql<{ value: string }>`select value from deferred_once order by value`.execute(
      other.db,
    );
    expect(rows.rows.map((r) => r.value)).toEqual(['x', 'y']);
  });

  it("a unit cannot begin a transaction of its own (its COMMIT would commit the batch's other units halfway)", async () => {
    const results = await Promise.allSettled([
      database.commit(async (trx) => {
        await SPEND.run(trx, ['neighbour', 1]);
        // Gives the other unit time to try its own COMMIT before this one's writes are done.
        await new Promise((resolve) => setTimeout(resolve, 50));
        await SPEND.run(trx, ['neighbour-2', 1]);
        throw new Error('refused after its second write');
      }),
      database.commit((trx) =>
        (trx as Kysely<Tables>).transaction().execute(async (inner) => {
          await inner.insertInto('spent').values({ value: 'nested', n: 1 }).execute();
        }),
      ),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    // Refused inside the batch, and again when run alone (in a transaction of its own, as Kysely refuses too).
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/transaction/);
    expect(await committedValues()).toEqual([]);
  });

  const logged = async () =>
    (
      await sql<{
        unit: number;
        step: number;
        note: string;
      }>`select unit, step, note from logged order by unit, step`.execute(other.db)
    ).rows.map((r) => `${r.unit}/${r.step}/${r.note}`);

  it('deferred writes: each row with its own values, committed with the batch and not before its COMMIT returned', async () => {
    // COMMIT waits for an advisory lock the test holds, in a deferred trigger on the deferred writes' rows:
    // so they have been written when it waits.
    await withCommitHeld('logged', 4243, async ({ waitingCommits, release }) => {
      const answered: number[] = [];
      const units = Array.from({ length: 12 }, (_, unit) =>
        database
          .commit(async (trx) => {
            await LOG.run(trx, [unit, 0, `first of ${unit}`]);
            await SPEND.run(trx, [`v${unit}`, unit]);
            await LOG.run(trx, [unit, 1, `second of ${unit}`]);
          })
          .then(() => answered.push(unit)),
      );
      await expect.poll(waitingCommits, { timeout: 10_000 }).toBe(1);
      expect(await logged()).toEqual([]);
      expect(answered).toEqual([]);
      await release();
      await Promise.all(units);
      const expected = Array.from({ length: 12 }, (_, unit) => [
        `${unit}/0/first of ${unit}`,
        `${unit}/1/second of ${unit}`,
      ]).flat();
      expect(await logged()).toEqual(expected);
      expect(await committedValues()).toHaveLength(12);
    });
  });

  it('a deferred write the server refuses rolls its batch back; run alone, only its unit fails', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, unit) =>
        database.commit(async (trx) => {
          await SPEND.run(trx, [`v${unit}`, unit]);
          await LOG.run(trx, [unit, unit === 5 ? -1 : 0, 'note']);
          return unit;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(results.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
    expect((results[5] as PromiseRejectedResult).reason.code).toBe('23514');
    expect(await committedValues()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v6', 'v7']);
    expect(await logged()).toEqual([0, 1, 2, 3, 4, 6, 7].map((unit) => `${unit}/0/note`));
  });

  it('a deferrable write outside a batch runs at once', async () => {
    const { changes } = await LOG.run(database.db as Kysely<unknown>, [1, 0, 'alone']);
    expect(changes).toBe(1);
    expect(await logged()).toEqual(['1/0/alone']);
  });

  it('a handle kept past its batch writes nothing', async () => {
    let kept: Kysely<unknown> | undefined;
    await database.commit(async (trx) => {
      kept = trx;
      await SPEND.run(trx, ['inside', 1]);
    });
    await expect(SPEND.run(kept as Kysely<unknown>, ['outside', 1])).rejects.toThrow(/after its batch/);
    await expect(
      (kept as Kysely<Tables>).insertInto('spent').values({ value: 'outside', n: 1 }).execute(),
    ).rejects.toThrow(/after its batch/);
    expect(await committedValues()).toEqual(['inside']);
  });
});
