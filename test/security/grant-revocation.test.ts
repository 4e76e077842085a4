import { rmSync } from 'node:fs';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/platform/config/index.js';
import { type RunningSystem, startSystem } from '../../src/system.js';
import {
  AMARA,
  authorize,
  Browser,
  type ClientKey,
  closeServer,
  discoverAsPortal,
  generateClientKey,
  serveClientJwks,
} from '../authz/helpers.js';
import { rpFor, serverMetadata } from '../authz/protocol-setup.js';
import { createPostgresDatabase, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';
import { freePort, testConfig } from '../helpers/system.js';
import { newHolder, proofJwt } from '../issuer/helpers/wallet.js';

/**
 * docs/security.md, "Grant revocation": when authz revokes a grant — a replayed authorization code, a
 * reused refresh token, logout, an administrator — both instances of the issuer refuse that grant's
 * JWT access tokens within `issuer.revocationFeed.staleAfterSeconds`, and keep accepting every other
 * token. Real authz, two issuer instances on one PostgreSQL database, tokens used as a client would.
 */

/** The feed is read every second; the documented worst case is the stale bound. */
const INTERVAL_SECONDS = 1;
const STALE_AFTER_SECONDS = 4;

let database: TestDatabase | undefined;
let config: Config;
let dataDir = '';
let authzAndIssuerA: RunningSystem | undefined;
let issuerB: RunningSystem | undefined;
let jwksServer: Awaited<ReturnType<typeof serveClientJwks>> | undefined;
let portalKey: ClientKey;
let opsKey: ClientKey;
let rp: client.Configuration;
const issuers: string[] = [];

beforeAll(async () => {
  if (!(await isPostgresAvailable())) return;
  database = await createPostgresDatabase();
  ({ config, dataDir } = await testConfig({
    services: ['authz', 'issuer'],
    databases: { issuer: database.url },
  }));
  config.issuer.revocationFeed = {
    clientId: 'issuer',
    intervalSeconds: INTERVAL_SECONDS,
    staleAfterSeconds: STALE_AFTER_SECONDS,
  };
  // The test plays the portal (with refresh tokens) and an operator holding authz:admin.
  const portal = config.authz.clients.find((c) => c.client_id === config.portal.clientId);
  if (portal) portal.grant_types = ['authorization_code', 'refresh_token', 'client_credentials'];
  opsKey = await generateClientKey();
  config.authz.clients.push({
    client_id: 'ops',
    redirect_uris: [],
    jwks: { keys: [opsKey.publicJwk as Record<string, unknown>] },
    scope: 'authz:admin',
    grant_types: ['client_credentials'],
  });
  portalKey = await generateClientKey();
  jwksServer = await serveClientJwks(config, [portalKey.publicJwk]);
  authzAndIssuerA = await startSystem(config, ['authz', 'issuer']);
  // Instance B: the same issuer (identifier, master key, database) on another port, as behind a balancer.
  const configB: Config = structuredClone(config);
  configB.issuer.port = await freePort();
  issuerB = await startSystem(configB, ['issuer']);
  issuers.push(config.issuer.publicUrl, `http://localhost:${configB.issuer.port}`);
  rp = await discoverAsPortal(config, portalKey);
}, 60_000);

afterAll(async () => {
  await issuerB?.stop();
  await authzAndIssuerA?.stop();
  if (jwksServer) await closeServer(jwksServer);
  await database?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const resource = () => ({ resource: config.issuer.publicUrl });

/** A person signs in and the portal redeems the code: the callback URL, the checks and the tokens. */
async function signIn(browser = new Browser()) {
  const run = await authorize(config, rp, AMARA, {}, browser);
  expect(run.url.searchParams.get('code')).toBeTruthy();
  const checks = { pkceCodeVerifier: run.codeVerifier, expectedState: run.state };
  const tokens = await client.authorizationCodeGrant(rp, run.url, checks, resource());
  return { callback: run.url, checks, tokens, browser };
}

/** A credential request as a wallet sends it: the issuer's answer status and error code. */
async function requestCredential(issuer: string, accessToken: string) {
  const nonce = ((await (await fetch(`${issuer}/nonce`, { method: 'POST' })).json()) as { c_nonce: string })
    .c_nonce;
  const holder = await newHolder('ES256');
  const response = await fetch(`${issuer}/credential`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({
      credential_configuration_id: 'national_id_sd_jwt',
      proofs: { jwt: [await proofJwt(holder, { audience: config.issuer.publicUrl, nonce })] },
    }),
  });
  const body = (await response.json()) as { error?: string; credentials?: unknown[] };
  return { status: response.status, error: body.error, issued: body.credentials?.length ?? 0 };
}

/** Both instances issue with the token. */
async function expectAcceptedEverywhere(accessToken: string) {
  for (const issuer of issuers) {
    expect(await requestCredential(issuer, accessToken)).toMatchObject({ status: 200, issued: 1 });
  }
}

/**
 * Both instances refuse the token as RFC 6750 says (401 invalid_token) no later than the documented
 * bound after the revocation; asked every 200 ms until then. Returns how long it took, ms.
 */
async function expectRefusedEverywhereWithin(accessToken: string, revokedAt: number) {
  const deadline = revokedAt + STALE_AFTER_SECONDS * 1000;
  const pending = new Set(issuers);
  const last = new Map<string, unknown>();
  while (pending.size > 0 && Date.now() <= deadline) {
    for (const issuer of [...pending]) {
      const answer = await requestCredential(issuer, accessToken);
      last.set(issuer, answer);
      if (answer.status === 401 && answer.error === 'invalid_token') pending.delete(issuer);
    }
    if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(Object.fromEntries([...pending].map((i) => [i, last.get(i)]))).toEqual({});
  return Date.now() - revokedAt;
}

describe('grant revocation reaches both issuer instances', () => {
  it('a replayed authorization code stops the access token the code gave', async (context) => {
    if (!database) return context.skip();
    const victim = await signIn();
    const bystander = await signIn();
    expect(decodeJwt(victim.tokens.access_token).grant_id).toEqual(expect.any(String));
    await expectAcceptedEverywhere(victim.tokens.access_token);

    // The attacker replays the intercepted code: refused (RFC 6749 §4.1.2) and the grant revoked.
    const replay = await client
      .authorizationCodeGrant(rp, victim.callback, victim.checks, resource())
      .catch((error: unknown) => error);
    const revokedAt = Date.now();
    expect((replay as client.ResponseBodyError).error).toBe('invalid_grant');
    await expectRefusedEverywhereWithin(victim.tokens.access_token, revokedAt);
    // Another person's grant is untouched.
    await expectAcceptedEverywhere(bystander.tokens.access_token);
  });

  it('a reused refresh token stops every access token of its grant', async (context) => {
    if (!database) return context.skip();
    const first = await signIn();
    const stolen = first.tokens.refresh_token ?? '';
    expect(stolen).not.toBe('');
    // The client refreshes (the refresh token rotates); the thief then uses the old one.
    const refreshed = await client.refreshTokenGrant(rp, stolen, resource());
    await expectAcceptedEverywhere(refreshed.access_token);
    const reuse = await client.refreshTokenGrant(rp, stolen, resource()).catch((error: unknown) => error);
    const revokedAt = Date.now();
    expect((reuse as client.ResponseBodyError).error).toBe('invalid_grant');
    await expectRefusedEverywhereWithin(refreshed.access_token, revokedAt);
    await expectRefusedEverywhereWithin(first.tokens.access_token, revokedAt);
  });

  it('logout (RP-initiated, "sign out") stops the tokens of the session', async (context) => {
    if (!database) return context.skip();
    const session = await signIn();
    await expectAcceptedEverywhere(session.tokens.access_token);
    const authz = config.authz.publicUrl;
    const page = await session.browser.follow(
      client.buildEndSessionUrl(rp, { id_token_hint: session.tokens.id_token ?? '' }),
      authz,
    );
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(await page.response.text())?.[1] ?? '';
    expect(xsrf).not.toBe('');
    const done = await session.browser.submit(new URL('/session/end/confirm', authz), authz, {
      xsrf,
      logout: 'yes',
    });
    const revokedAt = Date.now();
    expect(done.response.status).toBe(200);
    await expectRefusedEverywhereWithin(session.tokens.access_token, revokedAt);
  });

  it('an administrator revokes a grant named by its token', async (context) => {
    if (!database) return context.skip();
    const session = await signIn();
    await expectAcceptedEverywhere(session.tokens.access_token);
    const grantId = String(decodeJwt(session.tokens.access_token).grant_id);
    const ops = rpFor(await serverMetadata(config), 'ops', opsKey);
    const adminToken = (await client.clientCredentialsGrant(ops, { scope: 'authz:admin' })).access_token;
    const response = await fetch(`${config.authz.publicUrl}/admin/grants/${encodeURIComponent(grantId)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const revokedAt = Date.now();
    expect(response.status).toBe(204);
    await expectRefusedEverywhereWithin(session.tokens.access_token, revokedAt);
    // The grant is over at authz too: its refresh token no longer works.
    const refresh = await client
      .refreshTokenGrant(rp, session.tokens.refresh_token ?? '', resource())
      .catch((error: unknown) => error);
    expect((refresh as client.ResponseBodyError).error).toBe('invalid_grant');
  });
});

describe('an issuer instance started after the revocation', () => {
  it('refuses the revoked grant and serves the others from its very first request', async (context) => {
    if (!database) return context.skip();
    const revoked = await signIn();
    const valid = await signIn();
    const ops = rpFor(await serverMetadata(config), 'ops', opsKey);
    const adminToken = (await client.clientCredentialsGrant(ops, { scope: 'authz:admin' })).access_token;
    const grantId = String(decodeJwt(revoked.tokens.access_token).grant_id);
    const response = await fetch(`${config.authz.publicUrl}/admin/grants/${encodeURIComponent(grantId)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(response.status).toBe(204);
    const configC: Config = structuredClone(config);
    configC.issuer.port = await freePort();
    const issuerC = await startSystem(configC, ['issuer']);
    try {
      const c = `http://localhost:${configC.issuer.port}`;
      expect(await requestCredential(c, revoked.tokens.access_token)).toMatchObject({
        status: 401,
        error: 'invalid_token',
      });
      expect(await requestCredential(c, valid.tokens.access_token)).toMatchObject({ status: 200, issued: 1 });
    } finally {
      await issuerC.stop();
    }
  });
});

describe('the revocation feed', () => {
  it('answers only a client-credentials token with authz:revocations', async (context) => {
    if (!database) return context.skip();
    const feed = `${config.authz.publicUrl}/revocations/grants`;
    const metadata = (await (
      await fetch(`${config.authz.publicUrl}/.well-known/openid-configuration`)
    ).json()) as {
      grant_revocation_feed_endpoint?: string;
    };
    expect(metadata.grant_revocation_feed_endpoint).toBe(feed);
    expect((await fetch(feed)).status).toBe(401);
    // A person's token, and an operator's authz:admin token, are not enough.
    const person = await signIn();
    const asPerson = await fetch(feed, {
      headers: { authorization: `Bearer ${person.tokens.access_token}` },
    });
    expect(asPerson.status).toBe(401);
    const ops = rpFor(await serverMetadata(config), 'ops', opsKey);
    const adminToken = (await client.clientCredentialsGrant(ops, { scope: 'authz:admin' })).access_token;
    const asAdmin = await fetch(feed, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(asAdmin.status).toBe(403);
    expect(((await asAdmin.json()) as { error: string }).error).toBe('insufficient_scope');
    const malformed = await fetch(`${feed}?since=-1`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
  });
});

describe('when authz cannot be reached', () => {
  it('tokens are accepted from memory, then refused with 503 + Retry-After once the feed is stale', async (context) => {
    if (!database || !authzAndIssuerA) return context.skip();
    const session = await signIn();
    // authz stops (issuer A stops with it; B keeps serving): no call to authz is needed per request.
    await authzAndIssuerA.stop();
    authzAndIssuerA = undefined;
    const stoppedAt = Date.now();
    const b = issuers[1] as string;
    expect(await requestCredential(b, session.tokens.access_token)).toMatchObject({ status: 200 });
    // After the stale bound, a token that names a grant can no longer be checked: 503, never accepted.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, stoppedAt + STALE_AFTER_SECONDS * 1000 + 1500 - Date.now())),
    );
    const nonce = ((await (await fetch(`${b}/nonce`, { method: 'POST' })).json()) as { c_nonce: string })
      .c_nonce;
    const holder = await newHolder('ES256');
    const response = await fetch(`${b}/credential`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session.tokens.access_token}` },
      body: JSON.stringify({
        credential_configuration_id: 'national_id_sd_jwt',
        proofs: { jwt: [await proofJwt(holder, { audience: config.issuer.publicUrl, nonce })] },
      }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^[0-9]+$/);
    expect(((await response.json()) as { error: string }).error).toBe('temporarily_unavailable');
  });
});
