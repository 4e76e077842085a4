import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/index.js';
import { createPostgresDatabase, isPostgresAvailable } from '../helpers/databases.js';

const dir = mkdtempSync(join(tmpdir(), 'attesta-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** PRAGMA synchronous reads back as a number: 1 = NORMAL, 2 = FULL (sqlite.org/pragma.html#pragma_synchronous). */
async function sqliteSettings(url: string) {
  const database = openDatabase<Record<string, never>>(url);
  try {
    const sync = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(database.db);
    const journal = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(database.db);
    return { synchronous: sync.rows[0]?.synchronous, journal: journal.rows[0]?.journal_mode };
  } finally {
    await database.close();
  }
}

describe('durable before 200', () => {
  it('SQLite commits are fsynced (WAL with synchronous=FULL) unless the URL trades it away', async () => {
    expect(await sqliteSettings(`sqlite:${join(dir, 'a.sqlite')}`)).toEqual({
      synchronous: 2,
      journal: 'wal',
    });
    expect(await sqliteSettings(`sqlite:${join(dir, 'b.sqlite')}?synchronous=normal`)).toEqual({
      synchronous: 1,
      journal: 'wal',
    });
    expect(() => openDatabase(`sqlite:${join(dir, 'c.sqlite')}?synchronous=off`)).toThrow(/synchronous/);
  });

  it('PostgreSQL sessions keep synchronous_commit on', async () => {
    if (!(await isPostgresAvailable())) return;
    const target = await createPostgresDatabase();
    try {
      const database = openDatabase<Record<string, never>>(target.url);
      try {
        const rows = await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(database.db);
        expect(rows.rows[0]?.synchronous_commit).toBe('on');
      } finally {
        await database.close();
      }
    } finally {
      await target.drop();
    }
  });
});
