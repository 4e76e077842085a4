import { CompiledQuery, type Kysely, PostgresAdapter } from 'kysely';
import type pg from 'pg';
import { statementObserver } from '../tracing/database.js';
import { directSqliteOf, idleSqliteRootOf } from './group-commit.js';
import { pipelinedPostgresOf } from './postgres-group-commit.js';

export interface StatementResult<Row> {
  rows: Row[];
  /** Rows a write inserted, updated or deleted. */
  changes: number;
}

/**
 * A statement of a hot path, written once in SQL with `$1 … $n` (each once, in order) and run on
 * the handle it is given — a unit's handle inside a commit, or the database's own:
 *
 * - inside a unit of the SQLite group commit, straight on better-sqlite3 (prepared once, `?` for
 *   `$n`): the unit's connection is inside its batch's transaction, so the statement joins it, and
 *   Kysely's building, compiling and executor layers (6–10 µs a statement here, more than SQLite
 *   takes to run most of these) are skipped; observed at the same metrics/tracing seam as Kysely's;
 * - inside a unit of the PostgreSQL group commit, straight on the batch's pipelined pg client as a
 *   named statement (parsed once per connection; sent at once, without waiting for the statements
 *   of the other units or Kysely's connection provider);
 * - anywhere else (PostgreSQL, or SQLite outside a unit), as a query Kysely runs on that handle
 *   without building it: the handle's transaction and connection rules stay Kysely's.
 */
export interface PreparedStatement<Row = unknown> {
  run(db: Kysely<unknown>, values: readonly unknown[]): Promise<StatementResult<Row>>;
}

/** `$1 … $n`, each once and in order, become SQLite's positional `?`. */
function forSqlite(text: string): string {
  const numbers = [...text.matchAll(/\$(\d+)/g)].map((match) => Number(match[1]));
  if (numbers.some((n, i) => n !== i + 1)) throw new Error(`prepared statement: $n out of order in ${text}`);
  return text.replace(/\$\d+/g, '?');
}

export interface PrepareOptions {
  /**
   * A read that may also run straight on better-sqlite3 outside a unit: on a SQLite database's own
   * handle while no transaction is open on its connection (else through Kysely, which waits for the
   * connection). It then reads exactly what Kysely would, without its executor, connection mutex and
   * driver layers — the identity registry's lookup by id, once per credential and sign-in.
   */
  readOutsideUnits?: boolean;
  /**
   * An unconditional write whose result its callers do not read (a ledger row, a notification). Inside
   * a unit of the PostgreSQL group commit it is not sent at once: the batch's deferred writes go as one
   * statement just before its COMMIT (a refused one rolls the batch back, and its units run alone,
   * where the write runs at once), and `run` resolves with no rows and `changes` -1 (not known yet).
   * Anywhere else it runs as any other statement.
   */
  deferrable?: boolean;
}

/** Names of the statements pg prepares per connection: one per prepareStatement, unique in the process. */
let statements = 0;

export function prepareStatement<Row = unknown>(
  text: string,
  options: PrepareOptions = {},
): PreparedStatement<Row> {
  const sqliteText = forSqlite(text);
  const postgresName = `attesta_prepared_${++statements}`;

  const observers = new Map<string, ReturnType<typeof statementObserver>>();
  const observerFor = (name: string, dialect: 'sqlite' | 'postgres' = 'sqlite') => {
    const key = `${dialect}\0${name}`;
    let observer = observers.get(key);
    if (!observer) {
      observer = statementObserver({ name, dialect }, dialect === 'sqlite' ? sqliteText : text);
      observers.set(key, observer);
    }
    return observer;
  };
  return {
    async run(db, values) {
      const pipelined = pipelinedPostgresOf(db);
      if (pipelined && options.deferrable) {
        pipelined.defer({ text, values });
        return { rows: [], changes: -1 };
      }
      if (pipelined) {
        const result = await observerFor(
          pipelined.name,
          'postgres',
        )(() =>
          pipelined.client.query<Row & pg.QueryResultRow>({ name: postgresName, text, values: [...values] }),
        );
        return { rows: result.rows, changes: result.rowCount ?? 0 };
      }
      const unit = directSqliteOf(db);
      const root = !unit && options.readOutsideUnits ? idleSqliteRootOf(db) : undefined;
      // Prepared (looked up in the connection's cache) once per run; outside a unit only a read goes direct.
      const statement = (unit ?? root)?.prepare(sqliteText);
      const direct = unit ?? (statement?.reader ? root : undefined);
      if (direct && statement) {
        return observerFor(direct.name)(() =>
          statement.reader
            ? { rows: statement.all(...values) as Row[], changes: 0 }
            : { rows: [], changes: statement.run(...values).changes },
        );
      }
      const dialectText = db.getExecutor().adapter instanceof PostgresAdapter ? text : sqliteText;
      const result = await db.executeQuery<Row>(CompiledQuery.raw(dialectText, [...values]));
      return { rows: result.rows, changes: Number(result.numAffectedRows ?? 0n) };
    },
  };
}
