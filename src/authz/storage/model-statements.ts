import type SQLite from 'better-sqlite3';
import { CompiledQuery, type Kysely } from 'kysely';
import { type DatabaseDriver, pipelinedPostgresOf } from '../../platform/db/index.js';
import { statementObserver } from '../../platform/tracing/database.js';

/** The columns a find reads. */
export interface ModelRow {
  payload: string;
  consumed_at: number | null;
}

/** A row as upsert writes it (consumed_at stays as it is on an update, NULL on an insert). */
export interface ModelWrite {
  kind: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null;
}

export type ModelKey = 'id' | 'uid' | 'user_code';

/** A client's stored row (authz_clients) as it is: its record JSON and whether it is disabled. */
export interface ClientRow {
  record: string;
  disabled: number;
}

/**
 * The oidc-provider adapter's hot statements on `oidc_models`, prepared once by hand instead of built
 * and compiled by Kysely on every call (a sign-in runs about forty of them; docs/decisions.md). The
 * SQL is what the Kysely path (KyselyAdapter without them) sends, and test/authz/adapter.test.ts runs
 * both paths over the same rows. Each statement is observed like Kysely's (metrics, spans).
 */
export interface ModelStatements {
  /**
   * The row of `kind` whose `column` is `value`, unexpired at `notExpiredBefore` (epoch ms). `null`:
   * not now — the SQLite connection is inside a transaction (a group commit between two of its
   * statements), where a read would see uncommitted writes; the caller takes the Kysely path, which
   * waits for the connection.
   */
  find(
    kind: string,
    column: ModelKey,
    value: string,
    notExpiredBefore: number,
  ): Promise<ModelRow | undefined> | null;
  /**
   * Writes, run inside a unit of the database's group commit, `unit` being the handle the unit was
   * given. On SQLite they run on the one connection, inside the batch's transaction (they throw
   * outside one); on PostgreSQL on the batch's pipelined connection, inside its transaction (without
   * a unit's handle: on the pool, each committing alone).
   */
  upsert(row: ModelWrite, unit?: Kysely<unknown>): Promise<void>;
  /**
   * Inserts a row unless a row with its kind and id is there whose expiry is after `replaceBefore`
   * (epoch ms; such an expired row is replaced): how many rows it wrote (1: stored, 0: one is there).
   */
  insertOnce(row: ModelWrite, replaceBefore: number, unit?: Kysely<unknown>): Promise<number>;
  /** Marks a row consumed unless it already is; how many rows it changed (0 or 1). */
  consume(kind: string, id: string, at: number, unit?: Kysely<unknown>): Promise<number>;
  destroy(kind: string, id: string, unit?: Kysely<unknown>): Promise<void>;
  /**
   * The row of a client in authz_clients (oidc-provider reads a client on most requests;
   * clients/adapter.ts). `null` as for find: not now on SQLite, take the Kysely path.
   */
  client(clientId: string): Promise<ClientRow | undefined> | null;
}

const FIND = (column: ModelKey) =>
  `select "payload", "consumed_at" from "oidc_models" where "kind" = $1 and "${column}" = $2 and ("expires_at" is null or "expires_at" > $3)`;
const UPSERT =
  'insert into "oidc_models" ("kind", "id", "consumed_at", "payload", "grant_id", "user_code", "uid", "expires_at") values ($1, $2, null, $3, $4, $5, $6, $7) ' +
  'on conflict ("kind", "id") do update set "payload" = excluded."payload", "grant_id" = excluded."grant_id", "user_code" = excluded."user_code", "uid" = excluded."uid", "expires_at" = excluded."expires_at"';
/** What KyselyAdapter.insertOnce's builder sends: the same columns set on a conflict, only over an expired row. */
const INSERT_ONCE =
  'insert into "oidc_models" ("kind", "id", "consumed_at", "payload", "grant_id", "user_code", "uid", "expires_at") values ($1, $2, null, $3, $4, $5, $6, $7) ' +
  'on conflict ("kind", "id") do update set "payload" = excluded."payload", "grant_id" = excluded."grant_id", "user_code" = excluded."user_code", "uid" = excluded."uid", "expires_at" = excluded."expires_at" ' +
  'where "oidc_models"."expires_at" <= $8';
const CONSUME =
  'update "oidc_models" set "consumed_at" = $1 where "kind" = $2 and "id" = $3 and "consumed_at" is null';
const DESTROY = 'delete from "oidc_models" where "kind" = $1 and "id" = $2';
/** What ClientStore.get sends through Kysely. */
const CLIENT = 'select "record", "disabled" from "authz_clients" where "client_id" = $1';

const KEYS: readonly ModelKey[] = ['id', 'uid', 'user_code'];

/** Each `$n` above appears once and in order, so SQLite's `?` binds the same values. */
const forSqlite = (text: string) => text.replace(/\$\d+/g, '?');

function sqliteStatements(sqlite: SQLite.Database, name: string): ModelStatements {
  const observe = (text: string) => statementObserver({ name, dialect: 'sqlite' }, text);
  // Prepared on first use: the table exists only once the migrations have run.
  const prepared = <Args extends unknown[], R>(text: string, use: (s: SQLite.Statement, ...a: Args) => R) => {
    let statement: SQLite.Statement | undefined;
    const observed = observe(text);
    return (...args: Args): R => {
      statement ??= sqlite.prepare(forSqlite(text));
      const ready = statement;
      return observed(() => use(ready, ...args));
    };
  };
  const inUnit = () => {
    if (!sqlite.inTransaction) throw new Error('an oidc_models write outside a group-commit unit');
  };
  const finds = Object.fromEntries(
    KEYS.map((key) => [
      key,
      prepared(
        FIND(key),
        (s, kind: string, value: string, after: number) => s.get(kind, value, after) as ModelRow | undefined,
      ),
    ]),
  ) as Record<ModelKey, (kind: string, value: string, after: number) => ModelRow | undefined>;
  const upsert = prepared(UPSERT, (s, r: ModelWrite) =>
    s.run(r.kind, r.id, r.payload, r.grant_id, r.user_code, r.uid, r.expires_at),
  );
  const insertOnce = prepared(
    INSERT_ONCE,
    (s, r: ModelWrite, before: number) =>
      s.run(r.kind, r.id, r.payload, r.grant_id, r.user_code, r.uid, r.expires_at, before).changes,
  );
  const consume = prepared(CONSUME, (s, at: number, kind: string, id: string) => s.run(at, kind, id).changes);
  const destroy = prepared(DESTROY, (s, kind: string, id: string) => s.run(kind, id));
  const client = prepared(CLIENT, (s, clientId: string) => s.get(clientId) as ClientRow | undefined);
  return {
    find: (kind, column, value, after) =>
      sqlite.inTransaction ? null : Promise.resolve(finds[column](kind, value, after)),
    upsert: async (row) => {
      inUnit();
      upsert(row);
    },
    insertOnce: async (row, before) => {
      inUnit();
      return insertOnce(row, before);
    },
    consume: async (kind, id, at) => {
      inUnit();
      return consume(at, kind, id);
    },
    destroy: async (kind, id) => {
      inUnit();
      destroy(kind, id);
    },
    client: (clientId) => (sqlite.inTransaction ? null : Promise.resolve(client(clientId))),
  };
}

function postgresStatements(pool: import('pg').Pool, name: string): ModelStatements {
  // Named statements: pg prepares each once per connection and then sends only its parameters. A
  // write given its group-commit unit's handle runs inside that unit's transaction: on the batch's
  // pipelined connection, or through the handle when the unit runs alone (its own transaction, after
  // a batch that failed).
  const statement = (label: string, text: string) => {
    const observed = statementObserver({ name, dialect: 'postgres' }, text);
    const prepared = `attesta_oidc_models_${label}`;
    return (
      values: unknown[],
      unit?: Kysely<unknown>,
    ): Promise<{ rows: unknown[]; rowCount: number | null }> => {
      const batch = unit && pipelinedPostgresOf(unit)?.client;
      if (batch) return observed(() => batch.query({ name: prepared, text, values }));
      if (unit?.isTransaction)
        return unit
          .executeQuery(CompiledQuery.raw(text, values))
          .then((r) => ({ rows: r.rows, rowCount: Number(r.numAffectedRows ?? 0n) }));
      return observed(() => pool.query({ name: prepared, text, values }));
    };
  };
  const finds = Object.fromEntries(KEYS.map((key) => [key, statement(`find_${key}`, FIND(key))])) as Record<
    ModelKey,
    ReturnType<typeof statement>
  >;
  const upsert = statement('upsert', UPSERT);
  const insertOnce = statement('insert_once', INSERT_ONCE);
  const consume = statement('consume', CONSUME);
  const destroy = statement('destroy', DESTROY);
  const client = statement('client', CLIENT);
  return {
    find: async (kind, column, value, after) =>
      (await finds[column]([kind, value, after])).rows[0] as ModelRow | undefined,
    upsert: async (r, unit) => {
      await upsert([r.kind, r.id, r.payload, r.grant_id, r.user_code, r.uid, r.expires_at], unit);
    },
    insertOnce: async (r, before, unit) =>
      (
        await insertOnce(
          [r.kind, r.id, r.payload, r.grant_id, r.user_code, r.uid, r.expires_at, before],
          unit,
        )
      ).rowCount ?? 0,
    consume: async (kind, id, at, unit) => (await consume([at, kind, id], unit)).rowCount ?? 0,
    destroy: async (kind, id, unit) => {
      await destroy([kind, id], unit);
    },
    client: async (clientId) => (await client([clientId])).rows[0] as ClientRow | undefined,
  };
}

/** The adapter's prepared statements on the database's own driver. */
export function modelStatements(driver: DatabaseDriver): ModelStatements {
  return driver.dialect === 'sqlite'
    ? sqliteStatements(driver.sqlite, driver.name)
    : postgresStatements(driver.pool, driver.name);
}
