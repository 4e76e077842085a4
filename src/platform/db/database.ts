import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { observePool, poolErrors } from '../metrics/database.js';
import { observedDialect } from '../tracing/database.js';
import { type Commit, registerSqliteRoot, sqliteGroupCommit } from './group-commit.js';
import { postgresGroupCommit } from './postgres-group-commit.js';
import { walSync } from './wal-sync.js';

export type DialectName = 'sqlite' | 'postgres';

/**
 * Connection settings (`database.*` in the configuration, docs/configuration.md). Without them a
 * database opens as a library user would expect: a pool of 10, no statement timeout.
 */
export interface DatabaseOptions {
  /** PostgreSQL: connections in the pool, at most. */
  poolSize?: number;
  /** PostgreSQL: `statement_timeout` of every connection, ms (0: none). */
  statementTimeoutMs?: number;
  /** PostgreSQL: how long to wait for a new connection, ms (0: no limit). */
  connectTimeoutMs?: number;
  /** SQLite: `busy_timeout`, ms. */
  busyTimeoutMs?: number;
  /** Who owns it (`authz`, `issuer`, `portal`, `registry`): labels its metrics and trace spans. */
  name?: string;
}

export interface Database<Tables> {
  db: Kysely<Tables>;
  dialect: DialectName;
  /** Runs a unit of writes in a transaction, durable when it resolves (group-committed on SQLite). */
  commit: Commit;
  /**
   * The driver under Kysely, for the few hand-prepared statements of a hot path (docs/decisions.md):
   * SQLite's one connection (the one the group commit's units run on) or PostgreSQL's pool.
   */
  driver: DatabaseDriver;
  close(): Promise<void>;
}

export type DatabaseDriver =
  | { dialect: 'sqlite'; name: string; sqlite: SQLite.Database }
  | { dialect: 'postgres'; name: string; pool: pg.Pool };

// BIGINT columns hold epoch milliseconds; they fit in a JS number, so read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * SQLite durability: `full` (default) fsyncs the WAL at every commit, so a commit that returned —
 * and the 200 sent after it — survives an OS crash or power cut; `normal` syncs only at checkpoints
 * and may lose the last commits (https://sqlite.org/pragma.html#pragma_synchronous). Chosen with
 * `sqlite:<path>?synchronous=normal`; the bench measures both (docs/security.md, Durability).
 */
const SQLITE_SYNCHRONOUS = { full: 'FULL', normal: 'NORMAL' } as const;

function sqliteLocation(url: string): { path: string; synchronous: 'FULL' | 'NORMAL' } {
  const [path = '', query = ''] = url.slice('sqlite:'.length).split('?', 2);
  const requested = new URLSearchParams(query).get('synchronous') ?? 'full';
  const synchronous = SQLITE_SYNCHRONOUS[requested as keyof typeof SQLITE_SYNCHRONOUS];
  if (!synchronous) throw new Error('unsupported sqlite synchronous setting (expected full or normal)');
  return { path, synchronous };
}

/** Statements kept prepared per SQLite connection (distinct SQL texts; the oldest goes first). */
const PREPARED_STATEMENTS = 256;

/**
 * better-sqlite3 for Kysely, with its statements prepared once per SQL text: Kysely's driver asks for
 * a fresh statement on every query, and preparing costs more than running the small statements of
 * the issuing path. A better-sqlite3 statement may be run again and again (only one running
 * `iterate` blocks it, and Kysely holds the single connection for a stream's whole life).
 */
function preparedOnce(sqlite: SQLite.Database): { close(): void; prepare(source: string): SQLite.Statement } {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(source) {
      let statement = statements.get(source);
      if (statement) {
        statements.delete(source);
      } else {
        statement = sqlite.prepare(source);
        if (statements.size >= PREPARED_STATEMENTS)
          statements.delete(statements.keys().next().value as string);
      }
      statements.set(source, statement);
      return statement;
    },
  };
}

/** Resolves once every client the pool has now has closed its socket ('remove' comes after the close). */
function everyClientRemoved(pool: pg.Pool): Promise<void> {
  let open = pool.totalCount;
  return new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      open -= 1;
      if (open <= 0) resolve();
    });
  });
}

/**
 * Opens a database by URL: `sqlite:<path>` (embedded default; the folder is created) or
 * `postgres://…`. The returned handle is shared by the whole service and closed at shutdown.
 * PostgreSQL keeps the server's `synchronous_commit` (on by default: a commit is flushed before it
 * returns); nothing here turns it off.
 */
export function openDatabase<Tables>(url: string, options: DatabaseOptions = {}): Database<Tables> {
  const name = options.name ?? 'database';
  if (url.startsWith('sqlite:')) {
    const { path, synchronous } = sqliteLocation(url);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new SQLite(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${synchronous}`);
    sqlite.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    sqlite.pragma('foreign_keys = ON');
    const statements = preparedOnce(sqlite);
    const dialect = observedDialect(new SqliteDialect({ database: statements }), {
      name,
      dialect: 'sqlite',
    });
    const db = new Kysely<Tables>({ dialect });
    // FULL: the group commit's fsync runs on the thread pool (wal-sync.ts), every other commit's inside it.
    const wal = synchronous === 'FULL' && path !== ':memory:' && path !== '' ? walSync(path) : undefined;
    registerSqliteRoot(db as Kysely<unknown>, { name, prepare: statements.prepare }, sqlite);
    const commit = sqliteGroupCommit(db as Kysely<unknown>, {
      busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      durability: wal ? { kind: 'walSync', sync: wal.sync } : { kind: 'inline' },
      // Run while the group commit holds Kysely's one connection to this handle: nothing interleaves.
      bookkeeping: (_connection, statement) => statements.prepare(statement).run(),
      direct: { name, prepare: statements.prepare },
    });
    const close = async () => {
      await db.destroy();
      await wal?.close();
    };
    return { db, dialect: 'sqlite', commit, driver: { dialect: 'sqlite', name, sqlite }, close };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const settings = {
      connectionString: url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 0,
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    };
    const pool = new pg.Pool({ ...settings, max: options.poolSize ?? 10 });
    // The group commit's own connection, pipelined (pg sends a query without waiting for the answers
    // to those before it): one batch at a time runs on it (postgres-group-commit.ts).
    const commitPool = new pg.Pool({ ...settings, max: 1, pipeline: true });
    // An idle connection cut by the server (restart, failover, pg_terminate_backend) is an 'error'
    // event on the pool; unheard, it would end the process. The pool drops that client and the next
    // query opens a new one; readiness shows whether that works.
    pool.on('error', () => poolErrors.inc({ database: name }));
    commitPool.on('error', () => poolErrors.inc({ database: name }));
    const dialect = observedDialect(new PostgresDialect({ pool }), { name, dialect: 'postgres' });
    const db = new Kysely<Tables>({ dialect });
    const unobserve = observePool(name, () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: pool.options.max,
    }));
    // pool.end() resolves once it has asked each client to end, not when their sockets are closed;
    // wait for every client's 'remove' (emitted after its socket closed) so close means closed.
    const close = async () => {
      const closed = Promise.all([pool, commitPool].map(everyClientRemoved));
      unobserve();
      await db.destroy();
      await commitPool.end();
      await closed;
    };
    return {
      db,
      dialect: 'postgres',
      commit: postgresGroupCommit(db as Kysely<unknown>, commitPool, name),
      driver: { dialect: 'postgres', name, pool },
      close,
    };
  }
  throw new Error('unsupported database URL (expected sqlite:<path> or postgres://…)');
}
