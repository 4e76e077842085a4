import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresDatabase,
  isPostgresAvailable,
  POSTGRES_ADMIN_URL,
  type TestDatabase,
} from '../helpers/databases.js';
import { startTestSystem, type TestSystem } from '../helpers/system.js';

interface Report {
  status: string;
  lifecycle: string;
  draining: boolean;
  checks: Record<string, { status: string; reason?: string }>;
}

async function ready(base: string): Promise<{ status: number; body: Report }> {
  const response = await fetch(`${base}/health/ready`);
  return { status: response.status, body: (await response.json()) as Report };
}

/** Readiness answers from a cache of about a second; poll until it shows the expected status. */
async function readyUntil(base: string, status: number): Promise<{ status: number; body: Report }> {
  let last = await ready(base);
  for (let i = 0; i < 40 && last.status !== status; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await ready(base);
  }
  return last;
}

describe('liveness and readiness of the three services (SQLite)', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => system?.stop());

  it('each service answers liveness and readiness separately, naming what readiness checked', async () => {
    for (const [name, url] of Object.entries(system.urls)) {
      const live = await fetch(`${url}/health/live`);
      expect(live.status, name).toBe(200);
      expect(await live.json()).toEqual({ status: 'ok' });
      expect(live.headers.get('cache-control')).toBe('no-store');
      const { status, body } = await ready(url);
      expect(status, name).toBe(200);
      expect(body.status).toBe('ready');
      const expected = [
        'database',
        'migrations',
        'keys',
        ...(name === 'portal' ? ['issuer', 'authz'] : []),
        // The issuer's signing certificates (mdoc IACA and document signer): none has expired.
        ...(name === 'issuer' ? ['certificates'] : []),
      ];
      expect(Object.keys(body.checks).sort(), name).toEqual(expected.sort());
      for (const check of Object.values(body.checks)) expect(check.status).toBe('ok');
    }
  });

  it('a pending migration makes the instance not ready, and ready again once applied', async () => {
    const file = system.config.issuer.database.slice('sqlite:'.length);
    const sqlite = new Database(file);
    const row = sqlite
      .prepare('select name, timestamp from issuer_migrations order by name desc limit 1')
      .get() as {
      name: string;
      timestamp: string;
    };
    sqlite.prepare('delete from issuer_migrations where name = ?').run(row.name);
    try {
      const { status, body } = await readyUntil(system.urls.issuer, 503);
      expect(status).toBe(503);
      expect(body.checks.migrations).toEqual({
        status: 'fail',
        reason: `pending migrations: issuer/${row.name}`,
      });
      expect(body.checks.database?.status).toBe('ok');
      // Liveness does not depend on it: the instance must not be restarted for this.
      expect((await fetch(`${system.urls.issuer}/health/live`)).status).toBe(200);
    } finally {
      sqlite
        .prepare('insert into issuer_migrations (name, timestamp) values (?, ?)')
        .run(row.name, row.timestamp);
      sqlite.close();
    }
    expect((await readyUntil(system.urls.issuer, 200)).status).toBe(200);
  });

  it('a draining instance reports not ready while it still serves requests', async () => {
    // What SIGTERM does first (src/system.ts stop): the process lifecycle turns draining.
    expect((await ready(system.urls.issuer)).body).toMatchObject({ lifecycle: 'ready', draining: false });
    system.lifecycle.markDraining();
    const { status, body } = await ready(system.urls.issuer);
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'not_ready', lifecycle: 'draining', draining: true });
    expect(body.checks.database).toEqual({ status: 'ok' });
    // Still accepting: metadata and liveness answer.
    expect((await fetch(`${system.urls.issuer}/.well-known/openid-credential-issuer`)).status).toBe(200);
    expect((await fetch(`${system.urls.issuer}/health/live`)).status).toBe(200);
  });
});

describe('the portal is not ready when authz does not answer', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ services: ['issuer', 'portal'] });
  });
  afterAll(async () => system?.stop());

  it('names authz as the failed check', async () => {
    const { status, body } = await ready(system.urls.portal);
    expect(status).toBe(503);
    expect(body.checks.issuer).toEqual({ status: 'ok' });
    expect(body.checks.authz?.status).toBe('fail');
    expect(body.checks.database).toEqual({ status: 'ok' });
  });
});

describe('stop drains every service first', () => {
  it('readiness is draining once stop begins', async () => {
    const system = await startTestSystem();
    const stopped = system.stop();
    for (const service of system.services) expect(service.readiness.draining).toBe(true);
    await stopped;
  });
});

describe('readiness follows PostgreSQL', () => {
  let system: TestSystem | undefined;
  let database: TestDatabase | undefined;
  const name = () => new URL(database?.url ?? '').pathname.slice(1);
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    if (!(await isPostgresAvailable())) return;
    database = await createPostgresDatabase();
    system = await startTestSystem({ services: ['issuer'], databases: { issuer: database.url } });
  });
  afterAll(async () => {
    if (database) await admin(`ALTER DATABASE ${name()} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await system?.stop();
    await database?.drop();
  });

  it('a database that refuses connections makes the issuer not ready, and ready again when it is back', async (context) => {
    if (!system || !database) return context.skip();
    expect((await ready(system.urls.issuer)).status).toBe(200);
    // The database goes away: no new connection, and the open ones are cut.
    await admin(`ALTER DATABASE ${name()} ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name()}'`);
    const down = await readyUntil(system.urls.issuer, 503);
    expect(down.status).toBe(503);
    expect(down.body.checks.database?.status).toBe('fail');
    expect((await fetch(`${system.urls.issuer}/health/live`)).status).toBe(200);

    await admin(`ALTER DATABASE ${name()} ALLOW_CONNECTIONS true`);
    const up = await readyUntil(system.urls.issuer, 200);
    expect(up.status).toBe(200);
    expect(up.body.checks.database).toEqual({ status: 'ok' });
  });
});
