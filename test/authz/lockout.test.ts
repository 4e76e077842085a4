import { rmSync } from 'node:fs';
import type { Kysely } from 'kysely';
import * as client from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACR } from '../../src/authz/factors/acr.js';
import { clock } from '../../src/authz/factors/clock.js';
import type { SignInTables } from '../../src/authz/storage/sign-in-tables.js';
import type { Config } from '../../src/platform/config/index.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { demoIdentities } from '../../src/platform/registry/index.js';
import { startSystem } from '../../src/system.js';
import { createPostgresDatabase, isPostgresAvailable } from '../helpers/databases.js';
import { freePort, testConfig } from '../helpers/system.js';
import { AMARA, type AuthzUnderTest, authzForFile, Browser, startAuthz } from './helpers.js';

const LUCAS = { individual_id: '5102031513', full_name: 'Lucas Moreau' };

const authz = authzForFile(async (test) => {
  test.config.authz.login.lockout = { failures: 4, seconds: 900 };
});

afterEach(() => {
  clock.now = () => Date.now();
});

const origin = () => authz.config.authz.publicUrl;
const redirectUri = () => authz.config.authz.clients[0]?.redirect_uris[0] ?? '';

async function startSignIn() {
  const { buildAuthorizationUrl, calculatePKCECodeChallenge, randomPKCECodeVerifier } = await import(
    'openid-client'
  );
  const browser = new Browser();
  const url = buildAuthorizationUrl(authz.rp, {
    redirect_uri: redirectUri(),
    scope: 'openid national_id',
    code_challenge: await calculatePKCECodeChallenge(randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: 's',
    resource: authz.config.authz.resources[0]?.identifier ?? '',
  });
  const page = await browser.follow(url, origin());
  const formUrl = new URL(`${page.url.pathname}/login`, origin());
  return { submit: (fields: Record<string, string>) => browser.submit(formUrl, origin(), fields) };
}

describe('brute-force protection', () => {
  it('allows three attempts per sign-in request, then returns access_denied to the client', async () => {
    const signIn = await startSignIn();
    const wrong = { ...AMARA, date_of_birth: '1970-01-01' };
    const first = await signIn.submit(wrong);
    expect(await first.response.text()).toContain('2 attempts left.');
    const second = await signIn.submit(wrong);
    expect(await second.response.text()).toContain('One attempt left.');
    const third = await signIn.submit(wrong);
    expect(third.url.href.startsWith(redirectUri())).toBe(true);
    expect(third.url.searchParams.get('error')).toBe('access_denied');
    expect(third.url.searchParams.get('error_description')).toBe('too many failed sign-in attempts');
  });

  it('blocks an ID after the configured failures across requests, for the configured time', async () => {
    const wrong = { ...LUCAS, date_of_birth: '2000-01-01' };
    const lucas = demoIdentities().find((p) => p.individualId === LUCAS.individual_id);
    const right = { ...LUCAS, date_of_birth: lucas?.birthDate ?? '' };
    for (let i = 0; i < 2; i++) {
      const signIn = await startSignIn();
      await signIn.submit(wrong);
      await signIn.submit(wrong);
    }
    // Four failures: blocked, even with the right details and in a new request.
    const blocked = await (await startSignIn()).submit(right);
    expect(blocked.response.status).toBe(200);
    const html = await blocked.response.text();
    expect(html).toContain('Too many failed attempts for this ID. Try again later.');
    expect(blocked.url.searchParams.get('code')).toBeNull();
    // The page says when to try again (the block's end, in UTC), never which answer was wrong.
    expect(html).toMatch(/you can try again after \d{2}:\d{2} UTC \(in about 15 minutes\)/);
    expect(html).toContain('we do not say which detail did not match');
    // A request that runs out of attempts on a blocked ID tells the client until when it is locked.
    const exhausted = await startSignIn();
    await exhausted.submit(right);
    await exhausted.submit(right);
    const denied = await exhausted.submit(right);
    expect(denied.url.searchParams.get('error')).toBe('access_denied');
    const description = denied.url.searchParams.get('error_description') ?? '';
    const until = Date.parse(
      /^too many failed sign-in attempts; locked until (\S+)$/.exec(description)?.[1] ?? '',
    );
    expect(until).toBeGreaterThan(Date.now() + 800_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 900_000);
    // After the block time the right details work again.
    const later = Date.now() + 901_000;
    clock.now = () => later;
    const after = await (await startSignIn()).submit(right);
    expect(after.url.searchParams.get('code')).toBeTruthy();
  });

  it("forgets an ID's failures once it signs in", async () => {
    const fatima = demoIdentities().find((p) => p.individualId === '5102032626');
    const right = {
      individual_id: fatima?.individualId ?? '',
      full_name: fatima?.fullName ?? '',
      date_of_birth: fatima?.birthDate ?? '',
    };
    const wrong = { ...right, date_of_birth: '2000-01-01' };
    for (let i = 0; i < 3; i++) await (await startSignIn()).submit(wrong);
    expect((await (await startSignIn()).submit(right)).url.searchParams.get('code')).toBeTruthy();
    // Three failures more: six in the window, but three since the sign-in, so not blocked (four would).
    for (let i = 0; i < 3; i++) await (await startSignIn()).submit(wrong);
    expect((await (await startSignIn()).submit(right)).url.searchParams.get('code')).toBeTruthy();
    // Without the sign-in in between, the fourth failure blocks.
    for (let i = 0; i < 4; i++) await (await startSignIn()).submit(wrong);
    const blocked = await (await startSignIn()).submit(right);
    expect(await blocked.response.text()).toContain('Too many failed attempts for this ID.');
  });

  it('blocks unknown IDs the same way, so a block does not reveal whether an ID exists', async () => {
    const unknown = { individual_id: '1212121212', full_name: 'Nobody Known', date_of_birth: '1980-01-01' };
    for (let i = 0; i < 2; i++) {
      const signIn = await startSignIn();
      await signIn.submit(unknown);
      await signIn.submit(unknown);
    }
    const blocked = await (await startSignIn()).submit(unknown);
    expect(await blocked.response.text()).toContain('Too many failed attempts for this ID.');
  });

  it('stores blocks as keyed hashes in the database, never the ID', async () => {
    const database = openDatabase<SignInTables>(authz.config.authz.database);
    try {
      const rows = await (database.db as Kysely<SignInTables>)
        .selectFrom('authz_id_blocks')
        .selectAll()
        .execute();
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.id_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(JSON.stringify(row)).not.toContain(LUCAS.individual_id);
        expect(JSON.stringify(row)).not.toContain(AMARA.individual_id);
      }
    } finally {
      await database.close();
    }
  });
});

describe('per-IP rate limit of the sign-in endpoints', () => {
  let limited: AuthzUnderTest;
  let limitedDir: string;

  beforeAll(async () => {
    const test = await testConfig({ services: ['authz'] });
    limitedDir = test.dataDir;
    test.config.authz.login.rateLimit = { max: 3, windowSeconds: 60 };
    limited = await startAuthz(test.config);
  });

  afterAll(async () => {
    await limited?.stop();
    rmSync(limitedDir, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After once an address has used its requests', async () => {
    const url = new URL('/interaction/some-uid/login', limited.config.authz.publicUrl);
    const post = () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'individual_id=1',
        redirect: 'manual',
      });
    for (let i = 0; i < 3; i++) expect((await post()).status).toBe(400);
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = await refused.text();
    expect(body).not.toMatch(/stack|at .*\.js/);
  });
});

describe('two instances on one PostgreSQL database', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('share lockouts and one-time codes (a request may hop between instances)', async (context) => {
    if (!(await isPostgresAvailable())) return context.skip();
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const { config, dataDir: dir } = await testConfig({
      services: ['authz'],
      databases: { authz: database.url },
    });
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    config.authz.login.lockout = { failures: 2, seconds: 900 };
    const portal = config.authz.clients[0];
    if (portal) portal.acr_values = [ACR.kbi, ACR.otp];
    const a = await startAuthz(config);
    cleanups.push(() => a.stop());
    const configB: Config = structuredClone(config);
    configB.authz.port = await freePort();
    const b = await startSystem(configB, ['authz']);
    cleanups.push(() => b.stop());
    const originA = config.authz.publicUrl;
    const originB = `http://localhost:${configB.authz.port}`;

    const begin = async (acr: string) => {
      const browser = new Browser();
      const url = client.buildAuthorizationUrl(a.rp, {
        redirect_uri: portal?.redirect_uris[0] ?? '',
        scope: 'openid national_id',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        acr_values: acr,
        resource: config.authz.resources[0]?.identifier ?? '',
      });
      const page = await browser.follow(url, originA);
      return { browser, path: page.url.pathname };
    };

    // A one-time code sent by instance A is accepted by instance B.
    const otp = await begin(ACR.otp);
    await otp.browser.submit(new URL(`${otp.path}/login`, originA), originA, {
      individual_id: AMARA.individual_id,
    });
    let code: string | undefined;
    for (let i = 0; i < 100 && !code; i++) {
      code = /sign-in code is ([0-9]{6})/.exec(await (await fetch(`${originB}/dev/outbox`)).text())?.[1];
      if (!code) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const verified = await otp.browser.submit(new URL(`${otp.path}/otp`, originB), originB, {
      otp: code ?? '',
    });
    // B sends the browser back to the issuer identifier (A's URL) to resume the authorization.
    expect(verified.url.origin).toBe(originA);
    const done = await otp.browser.follow(verified.url, originA);
    expect(done.url.searchParams.get('code')).toBeTruthy();

    // Two failures on instance A block the ID on instance B.
    const wrong = { ...AMARA, full_name: 'Someone Else' };
    const first = await begin(ACR.kbi);
    await first.browser.submit(new URL(`${first.path}/login`, originA), originA, wrong);
    await first.browser.submit(new URL(`${first.path}/login`, originA), originA, wrong);
    const second = await begin(ACR.kbi);
    const blocked = await second.browser.submit(new URL(`${second.path}/login`, originB), originB, AMARA);
    expect(await blocked.response.text()).toContain('Too many failed attempts for this ID.');
  });
});
