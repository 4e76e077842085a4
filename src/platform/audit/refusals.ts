import { type Kysely, type Migration, sql } from 'kysely';

/** One aggregated row: how many calls to `route` were refused for `reason` from `source` in a minute. */
export interface RefusalRow {
  /** Start of the minute, epoch ms. */
  minute: number;
  /** The route pattern (`POST /admin/offers`), never the raw URL. */
  route: string;
  /** Our fixed refusal text (`admin credentials required`, `rate limited` …), never request data. */
  reason: string;
  /** The client id of a valid token that lacked the scope, else the caller's address; `other` past the cap. */
  source: string;
  calls: number;
}

export interface RefusalOptions {
  /** How often counts are written, ms. A crash loses at most this much of the counts (never an allowed call). */
  flushMs?: number;
  /** Distinct (route, reason, source) keys per minute and instance; further sources count as `other`. */
  maxKeys?: number;
  /** Aggregated rows older than this are deleted at each flush, ms. */
  retentionMs?: number;
  now?: () => number;
}

const MINUTE = 60_000;
const DEFAULTS = { flushMs: 5_000, maxKeys: 200, retentionMs: 90 * 86_400_000 };

/** The table of aggregated refusals; each service names its own (`issuer_admin_refusals`, …). */
export function refusalsMigration(table: string): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable(table)
        .addColumn('minute', 'bigint', (c) => c.notNull())
        .addColumn('route', 'varchar(200)', (c) => c.notNull())
        .addColumn('reason', 'varchar(200)', (c) => c.notNull())
        .addColumn('source', 'varchar(200)', (c) => c.notNull())
        .addColumn('calls', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pk`, ['minute', 'route', 'reason', 'source'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable(table).execute();
    },
  };
}

type RefusalTables = Record<string, RefusalRow>;

/**
 * Refused admin calls, counted per minute, route, reason and source instead of one row each: an
 * anonymous flood adds at most 2 × `maxKeys` + 1 rows per minute and instance, and rows past the retention
 * are deleted, so the table stays bounded however many requests arrive. Counts are buffered in
 * memory and added with an upsert, so several instances add to the same rows.
 */
export class RefusalCounter {
  private pending = new Map<string, RefusalRow>();
  /** Keys given a row of their own in the current minute (by this instance). */
  private readonly named = new Set<string>();
  private minute = 0;
  private readonly options: Required<Omit<RefusalOptions, 'now'>>;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<unknown>,
    private readonly table: string,
    options: RefusalOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.now = options.now ?? Date.now;
  }

  count(route: string, reason: string, source: string): void {
    const minute = Math.floor(this.now() / MINUTE) * MINUTE;
    if (minute !== this.minute) {
      this.minute = minute;
      this.named.clear();
    }
    const clip = (value: string) => value.slice(0, 200);
    let row = { minute, route: clip(route), reason: clip(reason), source: clip(source), calls: 0 };
    // Past the cap a new source counts as `other`; past twice the cap, everything new does.
    if (!this.admit(row)) {
      row = { ...row, source: 'other' };
      if (!this.admit(row)) row = { ...row, route: 'other', reason: 'other' };
    }
    const key = JSON.stringify([row.minute, row.route, row.reason, row.source]);
    const existing = this.pending.get(key) ?? row;
    existing.calls += 1;
    this.pending.set(key, existing);
  }

  /** Whether the key may have a row of its own this minute (keys named so far are bounded). */
  private admit(row: Omit<RefusalRow, 'calls'>): boolean {
    const key = JSON.stringify([row.route, row.reason, row.source]);
    if (this.named.has(key)) return true;
    const cap = row.source === 'other' ? 2 * this.options.maxKeys : this.options.maxKeys;
    if (this.named.size >= cap) return false;
    this.named.add(key);
    return true;
  }

  /** Writes buffered counts (added to what other instances wrote) and drops rows past retention. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write()).catch(() => {});
    return this.flushing;
  }

  private async write(): Promise<void> {
    const rows = [...this.pending.values()];
    this.pending = new Map();
    const db = this.db as unknown as Kysely<RefusalTables>;
    if (rows.length > 0) {
      await db
        .insertInto(this.table)
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['minute', 'route', 'reason', 'source']).doUpdateSet({
            calls: sql<number>`${sql.ref(`${this.table}.calls`)} + excluded.calls`,
          }),
        )
        .execute();
    }
    await db
      .deleteFrom(this.table)
      .where('minute', '<', this.now() - this.options.retentionMs)
      .execute();
  }

  /** Newest minutes first (this instance's buffer is written first). */
  async list(options: { limit: number; before?: number }): Promise<RefusalRow[]> {
    await this.flush();
    const db = this.db as unknown as Kysely<RefusalTables>;
    let query = db
      .selectFrom(this.table)
      .selectAll()
      .orderBy('minute', 'desc')
      .orderBy('calls', 'desc')
      .orderBy('route')
      .orderBy('reason')
      .orderBy('source');
    if (options.before !== undefined) query = query.where('minute', '<', options.before);
    const rows = await query.limit(options.limit).execute();
    return rows.map((row) => ({ ...row, minute: Number(row.minute), calls: Number(row.calls) }));
  }

  start(onError: (error: unknown) => void): void {
    this.timer ??= setInterval(() => {
      this.flushing = this.flushing.then(() => this.write()).catch(onError);
    }, this.options.flushMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is left (call before the database closes). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
