import { type Kysely, sql } from 'kysely';

/**
 * Runs a unit of writes in a transaction and resolves once that transaction is committed (durable:
 * SQLite's `synchronous=FULL` fsyncs the commit, PostgreSQL flushes it). A unit must only use the
 * handle it is given, and only for database work: no signing, no network inside it.
 */
export type Commit = <T, Tables = unknown>(work: (trx: Kysely<Tables>) => Promise<T>) => Promise<T>;

/** PostgreSQL (and any database with concurrent writers): one transaction per unit; the server groups the flushes. */
export function transactionPerUnit(db: Kysely<unknown>): Commit {
  return (work) => db.transaction().execute((trx) => work(trx as never));
}

interface Queued {
  work: (trx: Kysely<unknown>) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * SQLite group commit: the units queued during one turn of the event loop run in one `BEGIN
 * IMMEDIATE … COMMIT`, each inside its own savepoint (a unit that throws is rolled back alone and its
 * caller gets the error), and every caller is answered only after the one fsynced COMMIT. So N
 * credentials issued together cost one fsync instead of 5 N, with `synchronous=FULL` kept: nobody is
 * answered before their writes are on disk (https://sqlite.org/lang_savepoint.html). IMMEDIATE takes
 * the write lock at BEGIN, so several processes on one file wait for each other (busy_timeout)
 * instead of failing on a lock upgrade.
 */
export function sqliteGroupCommit(db: Kysely<unknown>): Commit {
  let queue: Queued[] = [];
  let scheduled = false;
  let running = false;

  const schedule = () => {
    if (scheduled || running) return;
    scheduled = true;
    setImmediate(flush);
  };

  async function runBatch(batch: Queued[]): Promise<{ ok: boolean; value: unknown }[]> {
    return db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      const outcomes: { ok: boolean; value: unknown }[] = [];
      try {
        for (const unit of batch) {
          await sql`savepoint unit`.execute(connection);
          try {
            outcomes.push({ ok: true, value: await unit.work(connection) });
          } catch (error) {
            await sql`rollback to unit`.execute(connection);
            outcomes.push({ ok: false, value: error });
          }
          await sql`release unit`.execute(connection);
        }
        await sql`commit`.execute(connection);
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => undefined);
        throw error;
      }
      return outcomes;
    });
  }

  async function flush(): Promise<void> {
    scheduled = false;
    running = true;
    const batch = queue;
    queue = [];
    try {
      const outcomes = await runBatch(batch);
      batch.forEach((unit, i) => {
        const outcome = outcomes[i] as { ok: boolean; value: unknown };
        if (outcome.ok) unit.resolve(outcome.value);
        else unit.reject(outcome.value);
      });
    } catch (error) {
      for (const unit of batch) unit.reject(error);
    } finally {
      running = false;
      if (queue.length > 0) schedule();
    }
  }

  return <T, Tables = unknown>(work: (trx: Kysely<Tables>) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({
        work: work as unknown as Queued['work'],
        resolve: resolve as Queued['resolve'],
        reject,
      });
      schedule();
    });
}
