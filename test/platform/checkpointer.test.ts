import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/index.js';

const dir = mkdtempSync(join(tmpdir(), 'attesta-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Tables {
  items: { id: string; body: string };
}

describe('SQLite WAL checkpoints off the event loop', () => {
  it('the connection never checkpoints in a COMMIT, and the WAL still reaches the database file', async () => {
    const path = join(dir, 'a.sqlite');
    const database = openDatabase<Tables>(`sqlite:${path}`);
    try {
      // sqlite.org/pragma.html#pragma_wal_autocheckpoint: 0 turns the automatic checkpoint off.
      const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(
        database.db,
      );
      expect(rows[0]?.wal_autocheckpoint).toBe(0);
      await sql`create table items (id text primary key, body text not null)`.execute(database.db);
      const before = statSync(path).size;
      // About 2,000 pages through the group commit: past the 1,000 at which SQLite would have
      // checkpointed inside one of these COMMITs.
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            database.commit((trx: Kysely<Tables>) =>
              trx
                .insertInto('items')
                .values({ id: `${batch}-${i}`, body: 'x'.repeat(16_000) })
                .execute(),
            ),
          ),
        );
      }
      // The database file grows only by checkpoints, and this connection made none: the thread does.
      let size = statSync(path).size;
      for (let waited = 0; size < before + 4_000_000 && waited < 5000; waited += 100) {
        await sleep(100);
        size = statSync(path).size;
      }
      expect(size).toBeGreaterThan(before + 4_000_000);
      // Nothing lost on the way: every row reads back.
      const count = await sql<{ n: number }>`select count(*) as n from items`.execute(database.db);
      expect(Number(count.rows[0]?.n)).toBe(500);
    } finally {
      await database.close();
    }
    // Closing waited for the thread's connection: the file can go at once, and reopens intact.
    const again = openDatabase<Tables>(`sqlite:${path}`);
    try {
      const count = await sql<{ n: number }>`select count(*) as n from items`.execute(again.db);
      expect(Number(count.rows[0]?.n)).toBe(500);
    } finally {
      await again.close();
    }
  });

  it("an in-memory database keeps SQLite's own checkpointing (no file to share)", async () => {
    const database = openDatabase<Tables>('sqlite::memory:');
    try {
      const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(
        database.db,
      );
      expect(rows[0]?.wal_autocheckpoint).toBe(1000);
    } finally {
      await database.close();
    }
  });
});
