import { connect } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config/index.js';
import { openDatabase } from '../../src/platform/db/index.js';
import {
  createPostgresDatabase,
  createSqliteDatabase,
  isPostgresAvailable,
  type TestDatabase,
} from '../helpers/databases.js';
import { startTestSystem, type TestSystem } from '../helpers/system.js';

/** Each setting below is set the way an operator would (an ATTESTA_* variable) and its effect observed. */

describe('dataDir', () => {
  it('holds the master key and every relative SQLite database', () => {
    const config = loadConfig({ env: { ATTESTA_DATA_DIR: '/var/lib/attesta' }, cwd: '/srv' });
    expect(config.keys.masterKeyFile).toBe('/var/lib/attesta/master.key');
    for (const name of ['registry', 'authz', 'issuer', 'portal'] as const)
      expect(config[name].database).toBe(`sqlite:/var/lib/attesta/${name}.sqlite`);
    // Relative to the working directory itself; absolute database paths are left alone.
    const relative = loadConfig({
      env: { ATTESTA_DATA_DIR: 'state', ATTESTA_ISSUER__DATABASE: 'sqlite:/elsewhere/issuer.sqlite' },
      cwd: '/srv',
    });
    expect(relative.authz.database).toBe('sqlite:/srv/state/authz.sqlite');
    expect(relative.issuer.database).toBe('sqlite:/elsewhere/issuer.sqlite');
  });
});

describe('database settings on PostgreSQL', async () => {
  const available = await isPostgresAvailable();
  let database: TestDatabase;
  beforeAll(async () => {
    if (available) database = await createPostgresDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it.skipIf(!available)('database.poolSize caps the connections a service opens', async () => {
    const config = loadConfig({ env: { ATTESTA_DATABASE__POOL_SIZE: '3' } });
    const url = new URL(database.url);
    url.searchParams.set('application_name', 'attesta-pool-test');
    const opened = openDatabase(url.toString(), config.database);
    const watcher = new pg.Client({ connectionString: database.url });
    await watcher.connect();
    try {
      const sleepers = Array.from({ length: 8 }, () => sql`select pg_sleep(0.4)`.execute(opened.db));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { rows } = await watcher.query<{ n: string }>(
        "select count(*) as n from pg_stat_activity where application_name = 'attesta-pool-test'",
      );
      await Promise.all(sleepers);
      expect(Number(rows[0]?.n)).toBe(3);
    } finally {
      await watcher.end();
      await opened.close();
    }
  });

  it.skipIf(!available)('database.statementTimeoutMs cancels a statement that runs longer', async () => {
    const config = loadConfig({ env: { ATTESTA_DATABASE__STATEMENT_TIMEOUT_MS: '200' } });
    const opened = openDatabase(database.url, config.database);
    try {
      await expect(sql`select pg_sleep(2)`.execute(opened.db)).rejects.toMatchObject({ code: '57014' });
      const fast = await sql<{ one: number }>`select 1 as one`.execute(opened.db);
      expect(fast.rows[0]?.one).toBe(1);
    } finally {
      await opened.close();
    }
  });

  it.skipIf(!available)('database.connectTimeoutMs bounds the wait for a connection', async () => {
    // A listener that accepts TCP but never speaks PostgreSQL: the connection attempt must give up.
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const config = loadConfig({ env: { ATTESTA_DATABASE__CONNECT_TIMEOUT_MS: '300' } });
    const opened = openDatabase(`postgres://postgres@127.0.0.1:${port}/none`, config.database);
    try {
      const started = Date.now();
      await expect(sql`select 1`.execute(opened.db)).rejects.toThrow(/timeout/i);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await opened.close().catch(() => {});
      silent.close();
    }
  });
});

describe('database.busyTimeoutMs on SQLite', () => {
  it('a writer waits that long for another writer, then fails with SQLITE_BUSY', async () => {
    const file = createSqliteDatabase();
    const config = loadConfig({ env: { ATTESTA_DATABASE__BUSY_TIMEOUT_MS: '300' } });
    const holder = openDatabase(file.url, config.database);
    const waiter = openDatabase(file.url, config.database);
    try {
      await sql`create table t (x integer)`.execute(holder.db);
      await holder.db.transaction().execute(async (trx) => {
        await sql`insert into t values (1)`.execute(trx);
        const started = Date.now();
        await expect(sql`insert into t values (2)`.execute(waiter.db)).rejects.toMatchObject({
          code: 'SQLITE_BUSY',
        });
        expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      });
    } finally {
      await holder.close();
      await waiter.close();
      await file.drop();
    }
  });
});

describe('http settings', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({
      services: ['issuer'],
      overrides: { http: { requestTimeoutSeconds: 1, headersTimeoutSeconds: 1, keepAliveTimeoutSeconds: 7 } },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('http.keepAliveTimeoutSeconds is announced and applied', async () => {
    const response = await fetch(`${system.urls.issuer}/.well-known/openid-credential-issuer`);
    expect(response.headers.get('keep-alive')).toBe('timeout=7');
  });

  it('http.requestTimeoutSeconds answers 408 to a request whose body never comes', async () => {
    const port = Number(new URL(system.urls.issuer).port);
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      `POST /nonce HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{`,
    );
    await closed;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
  });
});
