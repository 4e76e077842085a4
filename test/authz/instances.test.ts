import { rmSync } from 'node:fs';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/platform/config/index.js';
import { startSystem } from '../../src/system.js';
import { createPostgresDatabase, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';
import { freePort, testConfig } from '../helpers/system.js';
import {
  AMARA,
  authorize,
  Browser,
  closeServer,
  discoverAsPortal,
  generateClientKey,
  serveClientJwks,
} from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function jwksKids(config: Config): Promise<string[]> {
  const jwks = (await (await fetch(`${config.authz.publicUrl}/jwks`)).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((k) => k.kid);
}

describe('restarts', () => {
  it('reuses its signing key when started again on the same data (same kid in the JWKS)', async () => {
    const { config, dataDir } = await testConfig({ services: ['authz'] });
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startSystem(config, ['authz']);
    const before = await jwksKids(config);
    await first.stop();
    const second = await startSystem(config, ['authz']);
    cleanups.push(() => second.stop());
    expect(await jwksKids(config)).toEqual(before);
    expect(before).toHaveLength(1);
  });
});

describe('several instances on one PostgreSQL database', () => {
  it('lets a sign-in start on one instance, finish on another; a code and a refresh token are redeemed once, raced at both', async (context) => {
    if (!(await isPostgresAvailable())) return context.skip();
    const database: TestDatabase = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const { config, dataDir } = await testConfig({ services: ['authz'], databases: { authz: database.url } });
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    // The portal with refresh tokens (rotated at every use), to race one at both instances.
    const portal = config.authz.clients.find((c) => c.client_id === config.portal.clientId);
    if (portal) portal.grant_types = ['authorization_code', 'refresh_token', 'client_credentials'];

    const key = await generateClientKey();
    const jwks = await serveClientJwks(config, [key.publicJwk]);
    cleanups.push(() => closeServer(jwks));
    // Instance B: same identifier, master key and database, its own port.
    const configB: Config = structuredClone(config);
    configB.authz.port = await freePort();
    const a = await startSystem(config, ['authz']);
    cleanups.push(() => a.stop());
    const b = await startSystem(configB, ['authz']);
    cleanups.push(() => b.stop());
    const originA = config.authz.publicUrl;
    const originB = `http://localhost:${configB.authz.port}`;
    expect(await jwksKids(configB)).toEqual(await jwksKids(config));

    // The browser alternates between the instances on every request (a round-robin balancer).
    const rp = await discoverAsPortal(config, key);
    const verifier = client.randomPKCECodeVerifier();
    const redirectUri = config.authz.clients[0]?.redirect_uris[0] ?? '';
    let url = client.buildAuthorizationUrl(rp, {
      redirect_uri: redirectUri,
      scope: 'openid national_id',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'st',
      resource: config.authz.resources[0]?.identifier ?? '',
    });
    const browser = new Browser();
    let hop = 0;
    const via = (target: URL) =>
      new URL(target.pathname + target.search, hop++ % 2 === 0 ? originA : originB);
    let response = await browser.request(via(url));
    for (let i = 0; i < 12 && !url.href.startsWith(redirectUri); i++) {
      if (response.status === 200 && url.pathname.startsWith('/interaction/')) {
        url = new URL(`${url.pathname}/login`, originA);
        response = await browser.request(via(url), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(AMARA).toString(),
        });
        continue;
      }
      expect(response.status).toBe(303);
      url = new URL(response.headers.get('location') ?? '', originA);
      if (!url.href.startsWith(redirectUri)) response = await browser.request(via(url));
    }
    expect(url.searchParams.get('code')).toBeTruthy();
    expect(hop).toBeGreaterThan(3);

    // The code raced at both instances at once (A, B, A, B): one token response, invalid_grant for the rest.
    const rpB = await discoverAsPortal(config, key);
    rpB[client.customFetch] = (input, init) =>
      fetch(String(input).replace(originA, originB), init as RequestInit);
    const checks = { pkceCodeVerifier: verifier, expectedState: 'st' };
    const resource = { resource: config.authz.resources[0]?.identifier ?? '' };
    const outcome = (settled: PromiseSettledResult<client.TokenEndpointResponse>[]) =>
      settled
        .map((s) => (s.status === 'fulfilled' ? 'ok' : String((s.reason as client.ResponseBodyError).error)))
        .sort();
    const codeRace = await Promise.allSettled(
      [rp, rpB, rp, rpB].map((via) => client.authorizationCodeGrant(via, url, checks, resource)),
    );
    expect(outcome(codeRace)).toEqual(['invalid_grant', 'invalid_grant', 'invalid_grant', 'ok']);

    // A refresh token (of a new sign-in: the replays above revoked that grant) raced at both
    // instances: one rotation wins, every reuse gets invalid_grant (RFC 9700 §4.14.2).
    const run = await authorize(config, rp, AMARA);
    const tokens = await client.authorizationCodeGrant(
      rpB,
      run.url,
      { pkceCodeVerifier: run.codeVerifier, expectedState: run.state },
      resource,
    );
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: AMARA.individual_id, iss: originA });
    const refreshToken = tokens.refresh_token ?? '';
    expect(refreshToken).not.toBe('');
    const refreshRace = await Promise.allSettled(
      [rp, rpB, rp, rpB].map((via) => client.refreshTokenGrant(via, refreshToken, resource)),
    );
    expect(outcome(refreshRace)).toEqual(['invalid_grant', 'invalid_grant', 'invalid_grant', 'ok']);
  });
});
