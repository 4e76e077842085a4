import type SQLite from 'better-sqlite3';
import { CompiledQuery, type Kysely } from 'kysely';
import { statementObserver } from '../tracing/database.js';

/**
 * Runs a unit of writes in a transaction and resolves once that transaction is committed (durable:
 * SQLite's `synchronous=FULL` fsyncs the commit, PostgreSQL flushes it). A unit must only use the
 * handle it is given, and only for database work: no signing, no network inside it.
 */
export type Commit = <T, Tables = unknown>(work: (trx: Kysely<Tables>) => Promise<T>) => Promise<T>;

/**
 * One transaction per unit (on a database with concurrent writers; the server groups the flushes):
 * what the PostgreSQL group commit falls back to when a batch fails (postgres-group-commit.ts), and
 * the default of the stores given no commit.
 */
export function transactionPerUnit(db: Kysely<unknown>): Commit {
  return (work) => db.transaction().execute((trx) => work(trx as never));
}

type Outcome = { ok: boolean; value: unknown };

/**
 * How a group commit's COMMIT reaches the disk. `inline`: SQLite's own fsync inside COMMIT
 * (`synchronous` as the connection has it). `walSync`: COMMIT runs with `synchronous = NORMAL` (WAL
 * frames written, not synced; the connection's own setting is put back right after) and the given
 * function makes the WAL durable — an fdatasync on the thread pool — before any caller is answered.
 */
export type CommitDurability = { kind: 'inline' } | { kind: 'walSync'; sync: () => Promise<void> };

/** Longest pause between two tries of a busy database's write lock, ms. */
const MAX_PAUSE_MS = 8;

/**
 * Runs one of the group commit's bookkeeping statements (pragmas, savepoints): straight on the
 * SQLite handle when the database gives one (`openDatabase`: a prepared statement, a few µs), else
 * through Kysely. BEGIN, COMMIT and ROLLBACK stay in the query metrics and traces (control below).
 */
export type Bookkeeping = (connection: Kysely<unknown>, statement: string) => unknown;

const throughKysely: Bookkeeping = (connection, statement) =>
  connection.executeQuery(CompiledQuery.raw(statement));

interface BatchSettings {
  busyTimeoutMs: number;
  durability: CommitDurability;
  bookkeeping: Bookkeeping;
  /** The connection's own statements, lent to the units' prepared statements. */
  direct?: DirectSqlite;
}

/**
 * BEGIN IMMEDIATE without SQLite's blocking busy handler: true when this connection now holds the
 * write lock, false when another connection holds it. busy_timeout is put back at once, so every
 * other statement keeps its usual wait.
 */
async function beginImmediate(connection: Kysely<unknown>, settings: BatchSettings): Promise<boolean> {
  await settings.bookkeeping(connection, 'pragma busy_timeout = 0');
  try {
    await control(connection, settings, 'begin immediate');
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') return false;
    throw error;
  } finally {
    await settings.bookkeeping(connection, `pragma busy_timeout = ${Math.trunc(settings.busyTimeoutMs)}`);
  }
}

/**
 * One try of a batch on the connection: the write lock, the units, COMMIT. With `walSync`, COMMIT
 * leaves the WAL unsynced (`synchronous = NORMAL` for this transaction only; every other statement
 * on the connection, autocommits included, keeps `FULL`).
 */
async function tryBatch(
  connection: Kysely<unknown>,
  batch: Queued[],
  settings: BatchSettings,
): Promise<Outcome[] | undefined> {
  const { durability, bookkeeping } = settings;
  if (durability.kind === 'inline') {
    return (await beginImmediate(connection, settings)) ? runUnits(connection, batch, settings) : undefined;
  }
  await bookkeeping(connection, 'pragma synchronous = NORMAL');
  try {
    return (await beginImmediate(connection, settings))
      ? await runUnits(connection, batch, settings)
      : undefined;
  } finally {
    await bookkeeping(connection, 'pragma synchronous = FULL');
  }
}

type Control = 'begin immediate' | 'commit' | 'rollback';

/** Kysely's way, compiled once (building through `sql` on every batch cost more than running it). */
const COMPILED: Record<Control, CompiledQuery> = {
  'begin immediate': CompiledQuery.raw('begin immediate'),
  commit: CompiledQuery.raw('commit'),
  rollback: CompiledQuery.raw('rollback'),
};

const controlObservers = new Map<string, <T>(run: () => T) => T>();

/**
 * BEGIN IMMEDIATE, COMMIT or ROLLBACK of a batch. With the connection's own statements (`direct`:
 * `openDatabase`'s SQLite), a prepared statement run straight on it, observed at the same metrics
 * and tracing seam as a Kysely statement: the batch holds Kysely's one connection, so nothing
 * interleaves, and Kysely's executor, plugins and result mapping cost more than SQLite's own
 * BEGIN. Else through Kysely. Errors are better-sqlite3's either way (SQLITE_BUSY included).
 */
async function control(connection: Kysely<unknown>, settings: BatchSettings, statement: Control) {
  const direct = settings.direct;
  if (!direct) {
    await connection.executeQuery(COMPILED[statement]);
    return;
  }
  const key = `${direct.name}\0${statement}`;
  let observed = controlObservers.get(key);
  if (!observed) {
    observed = statementObserver({ name: direct.name, dialect: 'sqlite' }, statement);
    controlObservers.set(key, observed);
  }
  observed(() => direct.prepare(statement).run());
}

/**
 * The SQLite connection under Kysely, for statements run straight on it inside a unit
 * (src/platform/db/prepared.ts): its statements prepared once, and the database's name for metrics.
 */
export interface DirectSqlite {
  name: string;
  prepare(text: string): SQLite.Statement;
}

/** The handles units are running on now (a SQLite batch's connection, inside its open transaction). */
const unitHandles = new WeakMap<Kysely<unknown>, DirectSqlite>();

/**
 * The SQLite connection behind `db` when `db` is the handle a unit of a group commit was given and
 * its batch is running: the connection is then inside that batch's transaction, so a statement run
 * straight on it joins the unit. Undefined for any other handle (the database's own, a PostgreSQL
 * transaction, a unit handle after its batch ended).
 */
export function directSqliteOf(db: Kysely<unknown>): DirectSqlite | undefined {
  return unitHandles.get(db);
}

/** Each SQLite database's own handle (not a unit's), with its one connection. */
const rootHandles = new WeakMap<Kysely<unknown>, { direct: DirectSqlite; sqlite: SQLite.Database }>();

/** Registers `db` as the own handle of a SQLite database on `sqlite` (openDatabase). */
export function registerSqliteRoot(db: Kysely<unknown>, direct: DirectSqlite, sqlite: SQLite.Database): void {
  rootHandles.set(db, { direct, sqlite });
}

/**
 * The connection behind `db` when `db` is a SQLite database's own handle and no transaction is open
 * on that connection (no group-commit batch between two of its steps, no Kysely transaction): a read
 * run straight on it then sees exactly what a read through Kysely would. Undefined otherwise.
 */
export function idleSqliteRootOf(db: Kysely<unknown>): DirectSqlite | undefined {
  const root = rootHandles.get(db);
  return root && !root.sqlite.inTransaction ? root.direct : undefined;
}

/** The units of a batch in the transaction just begun, each in its savepoint, then the one COMMIT. */
async function runUnits(
  connection: Kysely<unknown>,
  batch: Queued[],
  settings: BatchSettings,
): Promise<Outcome[]> {
  const { bookkeeping, direct } = settings;
  const outcomes: Outcome[] = [];
  if (direct) unitHandles.set(connection, direct);
  try {
    for (const unit of batch) {
      await bookkeeping(connection, 'savepoint unit');
      try {
        outcomes.push({ ok: true, value: await unit.work(connection) });
      } catch (error) {
        await bookkeeping(connection, 'rollback to unit');
        outcomes.push({ ok: false, value: error });
      }
      await bookkeeping(connection, 'release unit');
    }
    await control(connection, settings, 'commit');
  } catch (error) {
    await control(connection, settings, 'rollback').catch(() => undefined);
    throw error;
  } finally {
    unitHandles.delete(connection);
  }
  return outcomes;
}

/** A unit waiting for its batch, and how its caller is answered. */
export interface Queued {
  work: (trx: Kysely<unknown>) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** The `Commit` of a group commit: each unit handed to `enqueue` (which queues it and schedules a batch). */
export function queueingCommit(enqueue: (unit: Queued) => void): Commit {
  return <T, Tables = unknown>(work: (trx: Kysely<Tables>) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      enqueue({
        work: work as unknown as Queued['work'],
        resolve: resolve as Queued['resolve'],
        reject,
      });
    });
}

/**
 * SQLite group commit: the units queued during one turn of the event loop run in one `BEGIN
 * IMMEDIATE … COMMIT`, each inside its own savepoint (a unit that throws is rolled back alone and its
 * caller gets the error), and every caller is answered only after the one fsynced COMMIT. So N
 * credentials issued together cost one fsync instead of 5 N, with `synchronous=FULL` kept: nobody is
 * answered before their writes are on disk (https://sqlite.org/lang_savepoint.html). With `walSync`
 * durability that fsync runs off the event loop: requests keep being served while the disk works, and
 * the units queued meanwhile go as the next batch once it is done. IMMEDIATE takes
 * the write lock at BEGIN, so several processes on one file (the issuer's `--workers`) wait for each
 * other instead of failing on a lock upgrade — and they wait without blocking: SQLite's busy handler
 * sleeps inside the synchronous call, which would stop this process's event loop (every request it
 * holds, not only the writers) while another process commits. So BEGIN IMMEDIATE is tried with
 * busy_timeout 0, and a busy database is tried again after a timer, up to `busyTimeoutMs` in all.
 */
export function sqliteGroupCommit(db: Kysely<unknown>, options: Partial<BatchSettings> = {}): Commit {
  const settings: BatchSettings = {
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    durability: options.durability ?? { kind: 'inline' },
    bookkeeping: options.bookkeeping ?? throughKysely,
    direct: options.direct,
  };
  const { busyTimeoutMs, durability } = settings;
  let queue: Queued[] = [];
  let scheduled = false;
  let running = false;
  /** A batch's WAL sync is running (walSync): the writes queued meanwhile wait for it, then go as one batch. */
  let syncing = false;

  const schedule = () => {
    if (scheduled || running || syncing) return;
    scheduled = true;
    setImmediate(flush);
  };

  async function runBatch(batch: Queued[]): Promise<Outcome[]> {
    const deadline = performance.now() + busyTimeoutMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
      const outcomes = await db.connection().execute((connection) => tryBatch(connection, batch, settings));
      if (outcomes) return outcomes;
      // Busy: the connection is given back meanwhile, so this process's reads go on.
      if (performance.now() >= deadline) throw new Error('database is locked (busy past busy_timeout)');
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  const answer = (batch: Queued[], outcomes: Outcome[]) =>
    batch.forEach((unit, i) => {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) unit.resolve(outcome.value);
      else unit.reject(outcome.value);
    });

  async function flush(): Promise<void> {
    scheduled = false;
    running = true;
    const batch = queue;
    queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = await runBatch(batch);
    } catch (error) {
      for (const unit of batch) unit.reject(error);
      running = false;
      if (queue.length > 0) schedule();
      return;
    }
    running = false;
    if (durability.kind !== 'walSync') {
      if (queue.length > 0) schedule();
      answer(batch, outcomes);
      return;
    }
    // Nobody is answered before the COMMIT is on disk. The writes queued while the sync runs would
    // wait for a sync that starts after it anyway (their frames may come after its start), so they
    // wait for it here instead and then commit as one batch, with one sync: fewer, fuller batches
    // (one COMMIT, its pragmas, the pages every commit rewrites, one fdatasync) for about the same wait.
    syncing = true;
    try {
      await durability.sync();
    } catch (error) {
      for (const unit of batch) unit.reject(error);
      return;
    } finally {
      syncing = false;
      if (queue.length > 0) schedule();
    }
    answer(batch, outcomes);
  }

  return queueingCommit((unit) => {
    queue.push(unit);
    schedule();
  });
}
