import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { type KoaContextWithOIDC, Provider } from 'oidc-provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answersAfterWrites } from '../../src/authz/interactions/after-writes.js';
import {
  type AuthzTables,
  adapterStatements,
  adapterWrites,
  KyselyAdapter,
} from '../../src/authz/storage/adapter.js';
import { authzMigrations } from '../../src/authz/storage/migrations.js';
import { answerAfterWrites, withRequestWrites } from '../../src/authz/storage/request-writes.js';
import { type Commit, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { createServer as createService } from '../../src/platform/server.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

/**
 * Inside an oidc-provider request, the adapter's upserts and deletes no longer hold up the request's
 * steps, and the request is over (its answer may be sent) only once every one of them is committed.
 * The commit is the service's own (the SQLite group commit, PostgreSQL per statement), held back at
 * will so that "not yet committed" can be observed.
 */
describe.each(DIALECTS)('writes answered with the request on $dialect', ({ dialect, create }) => {
  let testDb: TestDatabase | undefined;
  let close: () => Promise<void> = async () => {};
  let db: Kysely<AuthzTables>;
  let held: (() => void)[] = [];
  let holding = false;
  let failNext = false;
  let committed: string[] = [];
  let adapter: (kind: string) => KyselyAdapter;

  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    testDb = await create();
    const database = openDatabase<AuthzTables>(testDb.url);
    db = database.db;
    close = database.close;
    await migrateToLatest(db as Kysely<unknown>, 'authz', authzMigrations);
    const real = adapterWrites(database);
    held = [];
    holding = false;
    failNext = false;
    committed = [];
    // The service's commit, each write's completion held back while `holding`.
    const commit: Commit = async (work) => {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      if (holding) await new Promise<void>((resolve) => held.push(resolve));
      const value = real ? await real(work) : await work(db as never);
      committed.push('write');
      return value;
    };
    const statements = adapterStatements(database);
    adapter = (kind) => new KyselyAdapter(kind, db, undefined, commit, statements);
  });

  afterEach(async () => {
    await close();
    await testDb?.drop();
  });

  const release = () => {
    holding = false;
    for (const resume of held.splice(0)) resume();
  };

  /** Sends with the commit held: no answer and nothing committed for 100 ms; then released, the answer. */
  const answeredOnlyAfterCommit = async (send: () => Promise<Response>): Promise<Response> => {
    holding = true;
    let answered = false;
    const response = send().then((r) => {
      answered = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    expect(committed).toEqual([]);
    release();
    return response;
  };

  it('goes on after an upsert or a delete at once, and ends only when they are committed', async () => {
    holding = true;
    const steps: string[] = [];
    let over = false;
    const request = withRequestWrites(async () => {
      await adapter('Session').upsert('s1', { jti: 's1', uid: 'u1', accountId: 'a' }, 60);
      steps.push('after upsert');
      await adapter('Interaction').destroy('i1');
      steps.push('after destroy');
    }).then(() => {
      over = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(steps).toEqual(['after upsert', 'after destroy']);
    expect(committed).toEqual([]);
    expect(over).toBe(false);
    release();
    await request;
    expect(over).toBe(true);
    expect(committed).toHaveLength(2);
    expect(await adapter('Session').find('s1')).toMatchObject({ accountId: 'a' });
  });

  it('lets a read of the same kind wait for the request’s own writes, and others not', async () => {
    holding = true;
    const reads: string[] = [];
    const request = withRequestWrites(async () => {
      await adapter('Session').upsert('s1', { jti: 's1', uid: 'u1', accountId: 'a' }, 60);
      const other = adapter('Grant')
        .find('g1')
        .then(() => reads.push('grant (none pending)'));
      const same = adapter('Session')
        .findByUid('u1')
        .then((found) => reads.push(`session ${String(found?.accountId)}`));
      await other;
      expect(reads).toEqual(['grant (none pending)']);
      release();
      await same;
    });
    await request;
    expect(reads).toEqual(['grant (none pending)', 'session a']);
  });

  it('lets a consumption wait for the request’s own writes of its kind (in order on both dialects)', async () => {
    await withRequestWrites(async () => {
      await adapter('AuthorizationCode').upsert('c1', { jti: 'c1', grantId: 'g1' }, 60);
      await adapter('AuthorizationCode').consume('c1');
    });
    expect((await adapter('AuthorizationCode').find('c1'))?.consumed).toBeTypeOf('number');
  });

  it('fails the request when a deferred write fails', async () => {
    failNext = true;
    await expect(
      withRequestWrites(async () => {
        await adapter('Session').upsert('s1', { jti: 's1' }, 60);
        return 'answered';
      }),
    ).rejects.toThrow('disk full');
  });

  it('sends oidc-provider’s answer only after the request’s writes are committed, and none if one failed', async () => {
    const provider = new Provider('http://localhost', { features: { devInteractions: { enabled: false } } });
    answerAfterWrites(provider);
    provider.on('error', () => undefined);
    // A step of a request, as oidc-provider's own: it stores a session and answers.
    provider.use(async (context: KoaContextWithOIDC, next: () => Promise<void>) => {
      const ctx = context as unknown as { path: string; status: number; set(k: string, v: string): void };
      if (ctx.path !== '/step') return next();
      await adapter('Session').upsert('s1', { jti: 's1', accountId: 'a' }, 60);
      ctx.set('location', 'https://client.example/cb?code=secret');
      ctx.status = 303;
    });
    const server = createServer(provider.callback()).listen(0);
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/step`;
      const ok = await answeredOnlyAfterCommit(() => fetch(url, { redirect: 'manual' }));
      expect(ok.status).toBe(303);
      expect(committed).toHaveLength(1);
      failNext = true;
      const failed = await fetch(url, { redirect: 'manual' });
      expect(failed.status).toBe(500);
      expect(failed.headers.get('location')).toBeNull();
      expect(failed.headers.get('set-cookie')).toBeNull();
      // The failure stays in the log: neither its message nor a stack frame reaches the client.
      expect(await failed.text()).not.toMatch(/disk full|\n\s+at /);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('sends an interaction route’s answer only after the writes it left are committed, and an error if one failed', async () => {
    // The services' own Fastify instance (its error handler decides what a failure tells the client).
    const logged: string[] = [];
    const app = createService({
      service: 'authz',
      logLevel: 'error',
      logStream: { write: (line) => logged.push(line) },
    });
    const answered = answersAfterWrites(app);
    app.post(
      '/interaction/step',
      answered(async (_request, reply) => {
        await adapter('Interaction').upsert('i1', { jti: 'i1', result: { login: {} } }, 60);
        return reply.redirect('http://localhost/auth/i1', 303);
      }),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/interaction/step`;
      const response = await answeredOnlyAfterCommit(() =>
        fetch(url, { method: 'POST', redirect: 'manual' }),
      );
      expect(response.status).toBe(303);
      expect(committed).toHaveLength(1);
      failNext = true;
      const failed = await fetch(url, { method: 'POST', redirect: 'manual' });
      expect(failed.status).toBe(500);
      expect(failed.headers.get('location')).toBeNull();
      expect(failed.headers.get('set-cookie')).toBeNull();
      // The failure stays in the log: neither its message nor a stack frame reaches the client.
      expect(await failed.text()).not.toMatch(/disk full|\n\s+at /);
      expect(logged.join('\n')).toMatch(/disk full/);
    } finally {
      await app.close();
    }
  });

  it('outside a request, waits for each write as before', async () => {
    holding = true;
    let done = false;
    const write = adapter('Session')
      .upsert('s1', { jti: 's1' }, 60)
      .then(() => {
        done = true;
      });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(false);
    release();
    await write;
    expect(done).toBe(true);
  });
});
