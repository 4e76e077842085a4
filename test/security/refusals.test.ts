import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { RefusalCounter, refusalsMigration } from '../../src/platform/audit/refusals.js';
import { type Database, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

const TABLE = 'test_refusals';
const MINUTE = 60_000;

describe.each(DIALECTS)(
  'refused admin calls are counted, not stored one by one ($dialect)',
  ({ dialect, create }) => {
    let created: TestDatabase | undefined;
    let database: Database<unknown> | undefined;
    afterEach(async () => {
      await database?.close();
      await created?.drop();
    });

    async function open(): Promise<Kysely<unknown>> {
      created = await create();
      database = openDatabase<unknown>(created.url);
      await migrateToLatest(database.db, 'test', { '0001': refusalsMigration(TABLE) });
      return database.db;
    }

    async function rows(db: Kysely<unknown>): Promise<number> {
      const table = db as unknown as Kysely<Record<string, { minute: number }>>;
      const row = await table
        .selectFrom(TABLE)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst();
      return Number((row as { n: unknown } | undefined)?.n ?? 0);
    }

    it('a flood from 20,000 addresses adds a bounded number of rows and loses no count', async () => {
      if (dialect === 'postgres' && !(await isPostgresAvailable())) return;
      const db = await open();
      let now = Date.UTC(2026, 0, 1, 12, 0, 5);
      const counter = new RefusalCounter(db, TABLE, { maxKeys: 50, now: () => now });
      for (let i = 0; i < 20_000; i++) {
        counter.count(
          'POST /admin/configurations',
          'admin credentials required',
          `10.${i >> 8}.${i & 255}.1`,
        );
        if (i % 5000 === 4999) await counter.flush();
      }
      await counter.flush();
      // Four flushes in one minute: 50 named sources, then `other` (at most 2 × maxKeys + 1 rows a minute).
      expect(await rows(db)).toBeLessThanOrEqual(51);
      const listed = await counter.list({ limit: 500 });
      expect(listed.reduce((n, row) => n + row.calls, 0)).toBe(20_000);
      expect(listed.find((row) => row.source === 'other')?.calls).toBe(20_000 - 50);
      // A minute later, new rows; rows past retention go at the next flush.
      now += MINUTE;
      counter.count('GET /admin/audit', 'rate limited', '10.0.0.1');
      await counter.flush();
      expect((await counter.list({ limit: 1 }))[0]).toMatchObject({
        minute: Date.UTC(2026, 0, 1, 12, 1),
        route: 'GET /admin/audit',
        reason: 'rate limited',
        calls: 1,
      });
      const later = new RefusalCounter(db, TABLE, { retentionMs: MINUTE, now: () => now + 31_000 });
      await later.flush();
      expect(await rows(db)).toBe(1);
    });

    it('two instances add to the same rows', async () => {
      if (dialect === 'postgres' && !(await isPostgresAvailable())) return;
      const db = await open();
      const now = () => Date.UTC(2026, 0, 1, 12, 0, 5);
      const [a, b] = [new RefusalCounter(db, TABLE, { now }), new RefusalCounter(db, TABLE, { now })];
      for (let i = 0; i < 30; i++)
        (i % 2 ? a : b).count('GET /admin/clients', 'the access token is not valid', '::1');
      await Promise.all([a.flush(), b.flush()]);
      a.count('GET /admin/clients', 'the access token is not valid', '::1');
      await a.flush();
      expect(await b.list({ limit: 10 })).toEqual([
        {
          minute: Date.UTC(2026, 0, 1, 12, 0),
          route: 'GET /admin/clients',
          reason: 'the access token is not valid',
          source: '::1',
          calls: 31,
        },
      ]);
    });
  },
);
