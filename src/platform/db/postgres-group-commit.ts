import {
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  Kysely as KyselyInstance,
  PostgresDialect,
} from 'kysely';
import type pg from 'pg';
import { observedDialect, statementObserver } from '../tracing/database.js';
import { type Commit, type Queued, queueingCommit, transactionPerUnit } from './group-commit.js';
import { combineWrites, type DeferredWrite } from './postgres-deferred-writes.js';

/**
 * A unit's connection while its PostgreSQL batch runs (a pipelined client inside the batch's open
 * transaction): hand-prepared statements run straight on it as named statements
 * (src/platform/db/prepared.ts), sent without waiting for the statements before them.
 */
export interface PipelinedPostgres {
  name: string;
  client: pg.PoolClient;
  /** Queues a deferrable write: sent with the batch's others as one statement just before its COMMIT. */
  defer(write: DeferredWrite): void;
}

/** Units at most in one batch; more wait for the next. A failed batch is run again one unit at a time. */
const MAX_BATCH = 64;

/** The handles units are running on now: a batch's handle, while its transaction is open. */
const unitConnections = new WeakMap<Kysely<unknown>, PipelinedPostgres>();

/** The connection behind `db` when `db` is the handle of a running PostgreSQL batch's unit. */
export function pipelinedPostgresOf(db: Kysely<unknown>): PipelinedPostgres | undefined {
  return unitConnections.get(db);
}

interface Lent {
  handle: Kysely<unknown>;
  /** Set while a batch runs on the client: a handle used after its batch fails instead of writing outside it. */
  active: boolean;
}

/**
 * The batch's client as a Kysely dialect that refuses to begin a transaction: a unit's handle is inside
 * its batch's, and a nested BEGIN on PostgreSQL is only a warning — its COMMIT would commit the whole
 * batch halfway through its units.
 */
function withoutTransactions(pool: pg.Pool): Dialect {
  const inner = new PostgresDialect({ pool });
  return {
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createDriver: (): Driver => {
      const driver = inner.createDriver();
      const refuse = async () => {
        throw new Error("a commit unit cannot begin a transaction: it runs inside its batch's");
      };
      return {
        init: () => driver.init(),
        acquireConnection: () => driver.acquireConnection(),
        beginTransaction: refuse,
        commitTransaction: refuse,
        rollbackTransaction: refuse,
        releaseConnection: (connection: DatabaseConnection) => driver.releaseConnection(connection),
        destroy: () => driver.destroy(),
      };
    },
  };
}

/**
 * One Kysely handle per pooled commit connection, made once: Kysely statements of a unit (the rare
 * ones not hand-prepared) run on the batch's client, observed like any other, without waiting for
 * each other (Kysely's default connection provider takes the "pool" per statement, and this pool
 * is the one client).
 */
const handles = new WeakMap<pg.PoolClient, Lent>();

function lend(client: pg.PoolClient, name: string): Lent {
  let lent = handles.get(client);
  if (lent) return lent;
  const borrowed = { query: client.query.bind(client), release: () => undefined };
  const onePool = {
    connect: async () => {
      if (!lent?.active) throw new Error('a commit unit used its handle after its batch ended');
      return borrowed;
    },
    end: async () => undefined,
  };
  lent = {
    active: false,
    handle: new KyselyInstance<unknown>({
      dialect: observedDialect(withoutTransactions(onePool as unknown as pg.Pool), {
        name,
        dialect: 'postgres',
      }),
    }),
  };
  handles.set(client, lent);
  return lent;
}

type Together =
  | { kind: 'committed'; values: unknown[] }
  | { kind: 'alone' }
  | { kind: 'failed'; error: unknown }
  | { kind: 'own failure'; error: unknown };

const deferredObservers = new Map<string, ReturnType<typeof statementObserver>>();

/** The batch's one statement of deferred writes, in the query metrics and traces as an insert. */
function observeDeferred(name: string): ReturnType<typeof statementObserver> {
  let observer = deferredObservers.get(name);
  if (!observer) {
    observer = statementObserver({ name, dialect: 'postgres' }, "insert (the batch's deferred writes)");
    deferredObservers.set(name, observer);
  }
  return observer;
}

/** An error the server answered with (a SQLSTATE): the transaction it ended is rolled back for certain. */
const answeredByServer = (error: unknown) => typeof (error as { code?: unknown })?.code === 'string';

/**
 * The batch's units in one transaction on one pipelined connection, all at once: every unit's
 * statements go out as the units make them, and the units' statements of one step share the round
 * trip. BEGIN is awaited first: were it refused, statements sent behind it would each commit alone.
 * COMMIT only if every unit succeeded; otherwise ROLLBACK (nothing of any unit is kept, since no
 * COMMIT was sent) and the units are run again alone, as they are when the server refuses the COMMIT
 * or answers it with ROLLBACK (a unit caught a statement's error). A COMMIT without an answer (the
 * connection lost) may or may not have committed: its callers get the error, as they would for their
 * own transaction.
 */
async function together(pool: pg.Pool, name: string, batch: readonly Queued[]): Promise<Together> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const fail = (error: unknown) => {
    broken = error instanceof Error ? error : new Error(String(error));
  };
  try {
    try {
      await client.query('begin');
    } catch (error) {
      fail(error);
      return { kind: 'failed', error };
    }
    const lent = lend(client, name);
    lent.active = true;
    const deferred: DeferredWrite[] = [];
    unitConnections.set(lent.handle, { name, client, defer: (write) => deferred.push(write) });
    let settled: PromiseSettledResult<unknown>[];
    try {
      settled = await Promise.allSettled(batch.map(async (unit) => unit.work(lent.handle)));
    } finally {
      unitConnections.delete(lent.handle);
      lent.active = false;
    }
    if (settled.every((outcome) => outcome.status === 'fulfilled')) {
      try {
        // The deferred writes and COMMIT go together: were the writes refused, the transaction is aborted
        // and COMMIT answers ROLLBACK, as it does after a unit that caught a statement's error.
        const combined = deferred.length > 0 ? combineWrites(deferred) : undefined;
        const written = combined
          ? observeDeferred(name)(() => client.query(combined)).then(
              () => undefined,
              (error: unknown) => error,
            )
          : undefined;
        const committed = await client.query('commit');
        await written;
        if (committed.command === 'COMMIT')
          return {
            kind: 'committed',
            values: settled.map((outcome) => (outcome as { value: unknown }).value),
          };
        return { kind: 'alone' };
      } catch (error) {
        fail(error);
        return answeredByServer(error) ? { kind: 'alone' } : { kind: 'failed', error };
      }
    }
    // No COMMIT was sent: whether or not ROLLBACK gets through, nothing of this batch is kept.
    await client.query('rollback').catch(fail);
    // A unit alone in its batch failed on its own writes: running it again alone would only repeat them.
    const [only] = settled;
    if (batch.length === 1 && only?.status === 'rejected') return { kind: 'own failure', error: only.reason };
    return { kind: 'alone' };
  } finally {
    // A connection whose BEGIN, COMMIT or ROLLBACK failed is in an unknown state: not given back.
    client.release(broken);
  }
}

/**
 * PostgreSQL group commit: the units queued during one turn of the event loop (and while the batch
 * before them runs) go as one transaction on one pipelined connection, so a credential costs a share
 * of one BEGIN, one COMMIT and of each step's round trip instead of a transaction and a round trip per
 * statement of its own. Every caller is answered only after the COMMIT returned (synchronous_commit
 * as the server has it: on by default, flushed). Units run concurrently inside the transaction, so
 * one unit's failure (a spent nonce, a taken status index, any statement error, which aborts the whole
 * PostgreSQL transaction) would take the others' writes with it: then the batch is rolled back and
 * each unit is run again in its own transaction, as `transactionPerUnit` does — its outcome alone
 * decides its caller's answer, and nothing of the failed batch was kept (`together` above says what
 * happens when BEGIN or COMMIT fails).
 */
export function postgresGroupCommit(db: Kysely<unknown>, pool: pg.Pool, name: string): Commit {
  const alone = transactionPerUnit(db);
  let queue: Queued[] = [];
  let scheduled = false;
  let running = false;

  const schedule = () => {
    if (scheduled || running) return;
    scheduled = true;
    setImmediate(flush);
  };

  const runAlone = (unit: Queued) => alone(unit.work).then(unit.resolve, unit.reject);

  async function flush(): Promise<void> {
    scheduled = false;
    running = true;
    const batch = queue.slice(0, MAX_BATCH);
    queue = queue.slice(MAX_BATCH);
    try {
      const outcome = await together(pool, name, batch);
      if (outcome.kind === 'committed')
        for (const [i, unit] of batch.entries()) unit.resolve(outcome.values[i]);
      else if (outcome.kind === 'failed') for (const unit of batch) unit.reject(outcome.error);
      else if (outcome.kind === 'own failure') batch[0]?.reject(outcome.error);
      else for (const unit of batch) void runAlone(unit);
    } catch (error) {
      // No connection (the server unreachable, the pool's connect timeout): nothing was sent.
      for (const unit of batch) unit.reject(error);
    } finally {
      running = false;
      if (queue.length > 0) schedule();
    }
  }

  return queueingCommit((unit) => {
    queue.push(unit);
    schedule();
  });
}
