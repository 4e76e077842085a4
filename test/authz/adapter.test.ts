import type { Kysely } from 'kysely';
import { errors } from 'oidc-provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthzTables,
  adapterStatements,
  adapterWrites,
  KyselyAdapter,
  purgeExpired,
} from '../../src/authz/storage/adapter.js';
import { recordLoginFailure } from '../../src/authz/storage/login-failures.js';
import { authzMigrations } from '../../src/authz/storage/migrations.js';
import type { ModelStatements } from '../../src/authz/storage/model-statements.js';
import { type Commit, type Database, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

// Every test on both paths: statements built by Kysely, and the prepared statements the service uses.
const PATHS = [
  { path: 'Kysely-built statements', prepared: false },
  { path: 'prepared statements', prepared: true },
] as const;
const CASES = DIALECTS.flatMap((dialect) => PATHS.map((path) => ({ ...dialect, ...path })));

describe.each(CASES)('oidc-provider storage adapter on $dialect, $path', ({ dialect, create, prepared }) => {
  let testDb: TestDatabase | undefined;
  let close: () => Promise<void> = async () => {};
  let db: Kysely<AuthzTables>;
  let commit: Commit | undefined;
  let statements: ModelStatements | undefined;
  // Wired as the service wires it: writes group-committed on SQLite, one statement each on PostgreSQL.
  const adapter = (kind: string) => new KyselyAdapter(kind, db, undefined, commit, statements);

  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    testDb = await create();
    const database = openDatabase<AuthzTables>(testDb.url);
    db = database.db;
    commit = adapterWrites(database);
    statements = prepared ? adapterStatements(database) : undefined;
    close = database.close;
    await migrateToLatest(db as Kysely<unknown>, 'authz', authzMigrations);
  });

  afterEach(async () => {
    await close();
    await testDb?.drop();
  });

  it('stores, finds, replaces and destroys a payload by kind and id', async () => {
    const sessions = adapter('Session');
    await sessions.upsert('s1', { jti: 's1', uid: 'u1', accountId: 'a', nested: { n: [1, 2] } }, 60);
    expect(await sessions.find('s1')).toEqual({
      jti: 's1',
      uid: 'u1',
      accountId: 'a',
      nested: { n: [1, 2] },
    });
    // Same id, other kind: a different record.
    expect(await adapter('Interaction').find('s1')).toBeUndefined();
    await sessions.upsert('s1', { jti: 's1', uid: 'u2', accountId: 'b' }, 60);
    expect(await sessions.find('s1')).toEqual({ jti: 's1', uid: 'u2', accountId: 'b' });
    await sessions.destroy('s1');
    expect(await sessions.find('s1')).toBeUndefined();
  });

  it('finds sessions by uid and device codes by user code', async () => {
    await adapter('Session').upsert('s1', { uid: 'the-uid' }, 60);
    expect(await adapter('Session').findByUid('the-uid')).toEqual({ uid: 'the-uid' });
    expect(await adapter('Session').findByUid('other')).toBeUndefined();
    await adapter('DeviceCode').upsert('d1', { userCode: 'ABCD-EFGH', grantId: 'g' }, 60);
    expect(await adapter('DeviceCode').findByUserCode('ABCD-EFGH')).toMatchObject({ userCode: 'ABCD-EFGH' });
    expect(await adapter('DeviceCode').findByUserCode('ZZZZ-ZZZZ')).toBeUndefined();
  });

  it('marks a code consumed once; a second redemption fails with invalid_grant and revokes the grant', async () => {
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await adapter('AccessToken').upsert('t1', { grantId: 'g1' }, 60);
    await adapter('Grant').upsert('g1', { jti: 'g1' }, 60);
    await codes.consume('c1');
    const consumed = await codes.find('c1');
    expect(consumed?.consumed).toEqual(expect.any(Number));
    expect(Math.abs((consumed?.consumed ?? 0) - Date.now() / 1000)).toBeLessThan(5);

    // Two instances racing with the same code: the second consume loses.
    await expect(codes.consume('c1')).rejects.toBeInstanceOf(errors.InvalidGrant);
    expect(await adapter('AccessToken').find('t1')).toBeUndefined();
    expect(await adapter('Grant').find('g1')).toBeUndefined();
  });

  it('writes of one event-loop turn (concurrent sign-ins) all land, and a code redeemed twice among them once', async () => {
    // Through the group commit (one unit per write): one transaction per turn on either database.
    let units = 0;
    const counted: Commit | undefined =
      commit &&
      ((work) => {
        units++;
        return (commit as Commit)(work);
      });
    const adapter = (kind: string) => new KyselyAdapter(kind, db, undefined, counted, statements);
    const codes = adapter('AuthorizationCode');
    await adapter('Grant').upsert('g1', { jti: 'g1' }, 60);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => adapter('Session').upsert(`s${i}`, { uid: `u${i}` }, 60)),
    );
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    // Two redemptions and other writes queued in the same turn: one transaction.
    const outcomes = await Promise.allSettled([
      codes.consume('c1'),
      adapter('Interaction').upsert('i1', { uid: 'i1' }, 60),
      codes.consume('c1'),
      adapter('Session').destroy('s0'),
    ]);
    expect(units).toBe(1 + 20 + 1 + 4);
    const [first, upserted, second, destroyed] = outcomes;
    expect([upserted?.status, destroyed?.status]).toEqual(['fulfilled', 'fulfilled']);
    // Exactly one redemption wins (which one is up to PostgreSQL's connections); the other is invalid_grant.
    const redemptions = [first, second].map((o) => o?.status).sort();
    expect(redemptions).toEqual(['fulfilled', 'rejected']);
    const lost = [first, second].find((o) => o?.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(errors.InvalidGrant);
    expect(await adapter('Interaction').find('i1')).toEqual({ uid: 'i1' });
    expect(await adapter('Session').find('s0')).toBeUndefined();
    expect(await adapter('Session').findByUid('u19')).toEqual({ uid: 'u19' });
    // The reuse revoked the grant and its code, as a second redemption on its own does.
    expect(await adapter('Grant').find('g1')).toBeUndefined();
    expect(await codes.find('c1')).toBeUndefined();
  });

  it('consumes a pushed request once: a second consumption (two uses racing) is invalid_request_uri', async () => {
    const par = adapter('PushedAuthorizationRequest');
    await par.upsert('r1', { jti: 'r1' }, 60);
    const outcomes = await Promise.allSettled([par.consume('r1'), par.consume('r1')]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ error: 'invalid_request_uri' });
    expect((await par.find('r1'))?.consumed).toEqual(expect.any(Number));
  });

  it('stores a replay-detection record once: of callers racing with one id, one wins; an expired one is replaced', async () => {
    const replay = adapter('ReplayDetection');
    const wins = await Promise.all(
      Array.from({ length: 6 }, () => replay.insertOnce('jti-1', { iss: 'client', jti: 'jti-1' }, 60)),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await replay.find('jti-1')).toMatchObject({ iss: 'client' });
    await replay.insertOnce('jti-2', { iss: 'client' }, 60);
    await db
      .updateTable('oidc_models')
      .set({ expires_at: Date.now() - 60_000 })
      .where('id', '=', 'jti-2')
      .execute();
    expect(await replay.insertOnce('jti-2', { iss: 'again' }, 60)).toBe(true);
    expect(await replay.find('jti-2')).toMatchObject({ iss: 'again' });
    expect(await replay.insertOnce('jti-2', { iss: 'third' }, 60)).toBe(false);
  });

  it('revokes by grant id only within its own kind', async () => {
    await adapter('AccessToken').upsert('t1', { grantId: 'g1' }, 60);
    await adapter('AccessToken').upsert('t2', { grantId: 'g2' }, 60);
    await adapter('AuthorizationCode').upsert('c1', { grantId: 'g1' }, 60);
    await adapter('AccessToken').revokeByGrantId('g1');
    expect(await adapter('AccessToken').find('t1')).toBeUndefined();
    expect(await adapter('AccessToken').find('t2')).toBeDefined();
    expect(await adapter('AuthorizationCode').find('c1')).toBeDefined();
  });

  it('hides records past expiry (after the clock-tolerance grace) and purges them', async () => {
    const sessions = adapter('Session');
    await sessions.upsert('fresh', { uid: 'f' }, 60);
    await sessions.upsert('forever', { uid: 'x' }, 0);
    await sessions.upsert('old', { uid: 'o' }, 1);
    await db
      .updateTable('oidc_models')
      .set({ expires_at: Date.now() - 60_000 })
      .where('id', '=', 'old')
      .execute();
    expect(await sessions.find('old')).toBeUndefined();
    expect(await sessions.findByUid('o')).toBeUndefined();
    expect(await sessions.find('forever')).toEqual({ uid: 'x' });

    await recordLoginFailure(db, 'i-old', Date.now() - 1000);
    expect(await purgeExpired(db)).toBe(2);
    const left = await db.selectFrom('oidc_models').select('id').orderBy('id').execute();
    expect(left.map((r) => r.id)).toEqual(['forever', 'fresh']);
  });

  it('counts login failures per interaction atomically', async () => {
    const expires = Date.now() + 60_000;
    expect(await recordLoginFailure(db, 'i1', expires)).toBe(1);
    expect(await recordLoginFailure(db, 'i1', expires)).toBe(2);
    expect(await recordLoginFailure(db, 'i2', expires)).toBe(1);
    const counts = await Promise.all([1, 2, 3].map(() => recordLoginFailure(db, 'i3', expires)));
    expect(counts.sort()).toEqual([1, 2, 3]);
  });
});

/** A fresh authz database of `dialect`, migrated, for each test of the enclosing describe (handed to `use`). */
function withAuthzDatabase(
  dialect: (typeof DIALECTS)[number]['dialect'],
  create: () => Promise<TestDatabase>,
  use: (database: Database<AuthzTables>) => void,
): void {
  let testDb: TestDatabase | undefined;
  let database: Database<AuthzTables> | undefined;
  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    testDb = await create();
    database = openDatabase<AuthzTables>(testDb.url);
    await migrateToLatest(database.db as Kysely<unknown>, 'authz', authzMigrations);
    use(database);
  });
  afterEach(async () => {
    await database?.close();
    await testDb?.drop();
    database = undefined;
    testDb = undefined;
  });
}

describe.each(DIALECTS)(
  'the prepared statements against the Kysely path on $dialect',
  ({ dialect, create }) => {
    let database: Database<AuthzTables>;
    withAuthzDatabase(dialect, create, (opened) => {
      database = opened;
    });

    const rows = (ids: string[]) =>
      database.db
        .selectFrom('oidc_models')
        .selectAll()
        .where('id', 'in', ids)
        .orderBy('kind')
        .orderBy('id')
        .execute();

    it('write the same rows, and each path reads what the other wrote', async () => {
      const commit = adapterWrites(database);
      const kysely = (kind: string) => new KyselyAdapter(kind, database.db, undefined, commit);
      const fast = (kind: string) =>
        new KyselyAdapter(kind, database.db, undefined, commit, adapterStatements(database));
      const payload = (id: string) => ({
        jti: id,
        uid: `uid-${id}`,
        grantId: `grant-${id}`,
        userCode: `code-${id}`,
        nested: { list: [1, 'two', null], ok: true },
      });
      // The same writes, one id through each path: codes with and without expiry, replaced, consumed.
      for (const [make, id] of [
        [kysely, 'k'],
        [fast, 'f'],
      ] as const) {
        await make('AuthorizationCode').upsert(`${id}1`, payload(`${id}1`), 0);
        await make('AuthorizationCode').upsert(`${id}2`, { jti: 'first' }, 600);
        await make('AuthorizationCode').upsert(`${id}2`, payload(`${id}2`), 600);
        await make('AuthorizationCode').consume(`${id}2`);
        await make('Session').upsert(`${id}3`, payload(`${id}3`), 600);
        await make('Session').destroy(`${id}3`);
      }
      const [byKysely, byFast] = [await rows(['k1', 'k2', 'k3']), await rows(['f1', 'f2', 'f3'])];
      expect(byFast).toHaveLength(2);
      byFast.forEach((row, i) => {
        const other = byKysely[i] as (typeof byKysely)[number];
        const same = (value: string | null) => value?.replace(/^(uid-|grant-|code-)?f/, '$1k') ?? null;
        expect({
          ...row,
          id: same(row.id),
          payload: row.payload.replaceAll('"f', '"k').replaceAll('-f', '-k'),
          grant_id: same(row.grant_id),
          user_code: same(row.user_code),
          uid: same(row.uid),
          expires_at: row.expires_at === null,
          consumed_at: row.consumed_at === null,
        }).toEqual({
          ...other,
          expires_at: other.expires_at === null,
          consumed_at: other.consumed_at === null,
        });
        // Timestamps from the same clock, a moment apart.
        expect(Math.abs(Number(row.expires_at ?? 0) - Number(other.expires_at ?? 0))).toBeLessThan(60_000);
      });
      // Each path finds the other's rows, by id, uid and user code, with `consumed` as oidc-provider expects.
      for (const [reader, id] of [
        [kysely, 'f'],
        [fast, 'k'],
      ] as const) {
        const codes = reader('AuthorizationCode');
        const other = reader === kysely ? fast('AuthorizationCode') : kysely('AuthorizationCode');
        for (const found of [
          await codes.find(`${id}2`),
          await codes.findByUid(`uid-${id}2`),
          await codes.findByUserCode(`code-${id}2`),
        ]) {
          expect(found).toEqual(await other.find(`${id}2`));
          expect(found?.consumed).toEqual(expect.any(Number));
        }
        expect(await codes.find(`${id}1`)).toEqual(payload(`${id}1`));
        expect(await reader('Session').find(`${id}3`)).toBeUndefined();
        // A consumed code cannot be consumed again by either path.
        await expect(codes.consume(`${id}2`)).rejects.toBeInstanceOf(errors.InvalidGrant);
      }
    });

    it('a read while a transaction is open on the connection does not see its uncommitted writes', async () => {
      const sessions = new KyselyAdapter(
        'Session',
        database.db,
        undefined,
        adapterWrites(database),
        adapterStatements(database),
      );
      let pending: Promise<unknown> | undefined;
      await database.db
        .transaction()
        .execute(async (trx) => {
          await trx
            .insertInto('oidc_models')
            .values({
              kind: 'Session',
              id: 'uncommitted',
              payload: '{}',
              grant_id: null,
              user_code: null,
              uid: null,
              expires_at: null,
              consumed_at: null,
            })
            .execute();
          // Not awaited here: on SQLite it waits for the connection, which this transaction holds.
          pending = sessions.find('uncommitted');
          throw new Error('roll back');
        })
        .catch(() => undefined);
      expect(await pending).toBeUndefined();
    });
  },
);

/**
 * The prepared writes run inside the group-commit unit they are given (on PostgreSQL: the batch's
 * pipelined connection, or the unit's own transaction when it runs alone after a failed batch), so a
 * unit that fails keeps none of them, and a failing neighbour in the batch takes none of the others'.
 */
describe.each(DIALECTS)(
  'the adapter’s prepared writes inside commit units on $dialect',
  ({ dialect, create }) => {
    let database: Database<AuthzTables>;
    withAuthzDatabase(dialect, create, (opened) => {
      database = opened;
    });

    const row = (id: string) => ({
      kind: 'Session',
      id,
      payload: JSON.stringify({ jti: id }),
      grant_id: null,
      user_code: null,
      uid: null,
      expires_at: Date.now() + 60_000,
    });

    it('keeps no write of a unit that fails, and every write of the units beside it', async () => {
      const statements = adapterStatements(database);
      const commit = adapterWrites(database);
      const sessions = new KyselyAdapter('Session', database.db, undefined, commit, statements);
      await sessions.upsert('kept-before', { jti: 'kept-before' }, 60);
      // Queued in one turn: one batch, whose failing unit makes it roll back and run each unit alone.
      const outcomes = await Promise.allSettled([
        commit(async (unit) => {
          await statements.upsert(row('fine-1'), unit as Kysely<unknown>);
        }),
        commit(async (unit) => {
          await statements.upsert(row('failed'), unit as Kysely<unknown>);
          await statements.destroy('Session', 'kept-before', unit as Kysely<unknown>);
          expect(await statements.consume('Session', 'failed', Date.now(), unit as Kysely<unknown>)).toBe(1);
          throw new Error('the unit fails after its writes');
        }),
        commit(async (unit) => {
          await statements.upsert(row('fine-2'), unit as Kysely<unknown>);
        }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await sessions.find('failed')).toBeUndefined();
      expect(await sessions.find('kept-before')).toEqual({ jti: 'kept-before' });
      expect(await sessions.find('fine-1')).toEqual({ jti: 'fine-1' });
      expect(await sessions.find('fine-2')).toEqual({ jti: 'fine-2' });
    });
  },
);
