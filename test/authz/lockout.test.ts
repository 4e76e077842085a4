import { rmSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clock } from '../../src/authz/factors/clock.js';
import type { SignInTables } from '../../src/authz/storage/sign-in-tables.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { demoIdentities } from '../../src/platform/registry/index.js';
import { testConfig } from '../helpers/system.js';
import { AMARA, type AuthzUnderTest, Browser, startAuthz } from './helpers.js';

const LUCAS = { individual_id: '5102031513', full_name: 'Lucas Moreau' };

let authz: AuthzUnderTest;
let dataDir: string;

beforeAll(async () => {
  const test = await testConfig({ services: ['authz'] });
  dataDir = test.dataDir;
  test.config.authz.login.lockout = { failures: 4, seconds: 900 };
  authz = await startAuthz(test.config);
});

afterAll(async () => {
  await authz?.stop();
  rmSync(dataDir, { recursive: true, force: true });
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
    // After the block time the right details work again.
    const later = Date.now() + 901_000;
    clock.now = () => later;
    const after = await (await startSignIn()).submit(right);
    expect(after.url.searchParams.get('code')).toBeTruthy();
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
