import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';

export type DialectName = 'sqlite' | 'postgres';

export interface Database<Tables> {
  db: Kysely<Tables>;
  dialect: DialectName;
  close(): Promise<void>;
}

// BIGINT columns hold epoch milliseconds; they fit in a JS number, so read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * Opens a database by URL: `sqlite:<path>` (embedded default; the folder is created) or
 * `postgres://…`. The returned handle is shared by the whole service and closed at shutdown.
 */
export function openDatabase<Tables>(url: string): Database<Tables> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new SQLite(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
    return { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    // pool.end() resolves once it has asked each client to end, not when their sockets are closed;
    // wait for every client's 'remove' (emitted after its socket closed) so close means closed.
    const close = async () => {
      let open = pool.totalCount;
      const closed = new Promise<void>((resolve) => {
        if (open === 0) resolve();
        pool.on('remove', () => {
          open -= 1;
          if (open <= 0) resolve();
        });
      });
      await db.destroy();
      await closed;
    };
    return { db, dialect: 'postgres', close };
  }
  throw new Error('unsupported database URL (expected sqlite:<path> or postgres://…)');
}
