import { type Kysely, sql } from 'kysely';
import type { Commit } from './group-commit.js';

export interface SweepTable {
  table: string;
  /** The table's key: a batch deletes the keys its oldest expired rows have. */
  key: string;
  /** The column compared with the cutoff, indexed (the batch is found through it, oldest first). */
  expiry: string;
}

export interface SweepLimits {
  /** Rows deleted in one transaction. */
  batch: number;
  /** Transactions in one sweep; what is left waits for the next sweep. */
  batches: number;
}

/**
 * Deletes the rows whose expiry is at or before `cutoff`, oldest first, in transactions of at most
 * `batch` rows and at most `batches` of them; returns how many. One delete of every expired row holds
 * a SQLite process's event loop for as long as it runs (45,000 spent nonces: 42–75 ms,
 * `bench/sweeps.ts`, docs/benchmarks.md), and every request of that instance waits behind it; a batch is a unit of the
 * group commit like any other, so requests' units run between batches.
 */
export async function deleteExpiredInBatches(
  commit: Commit,
  { table, key, expiry }: SweepTable,
  cutoff: number,
  { batch, batches }: SweepLimits,
): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < batches; i++) {
    const result = await commit((trx: Kysely<unknown>) =>
      sql`delete from ${sql.table(table)} where ${sql.ref(key)} in (select ${sql.ref(key)} from ${sql.table(table)} where ${sql.ref(expiry)} <= ${cutoff} order by ${sql.ref(expiry)} limit ${batch})`.execute(
        trx,
      ),
    );
    const count = Number(result.numAffectedRows ?? 0n);
    deleted += count;
    if (count < batch) break;
  }
  return deleted;
}

/** Expired rows are swept at most this often per instance: often enough to keep up, rarely enough to cost nothing. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Starts a store's sweep at most once a minute per instance, when one of its callers finds it due:
 * after the caller's turn (setImmediate), never on its path; a failed sweep is retried at the next
 * interval.
 */
export class SweepSchedule {
  private last: number;

  constructor(
    private readonly sweep: () => Promise<unknown>,
    start: number,
  ) {
    this.last = start;
  }

  /** Called on a store's busy path with its clock's time: starts the sweep when a minute has passed. */
  due(now: number): void {
    if (now - this.last < SWEEP_INTERVAL_MS) return;
    this.last = now;
    setImmediate(() => this.sweep().catch(() => undefined));
  }
}
