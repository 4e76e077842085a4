import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config/index.js';
import { type AuthzUnderTest, startAuthz } from '../authz/helpers.js';
import { testConfig } from '../helpers/system.js';

/**
 * `http.trustProxy`: a deployment behind an ingress names it, and then (only then) the client
 * address and scheme the proxy forwards are believed. Tried from both sides: behind the configured
 * proxy (this test's loopback connection), and from a peer that is not the proxy forging the headers.
 */
async function authzTrusting(trustProxy: string): Promise<AuthzUnderTest> {
  const { config } = await testConfig({
    services: ['authz'],
    overrides: { http: { trustProxy }, admin: { rateLimit: { max: 2, windowSeconds: 60 } } },
  });
  return startAuthz(config);
}

/** Statuses of unauthenticated admin calls, each from the client address the proxy forwards. */
async function adminCallsFrom(authz: AuthzUnderTest, clients: string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const address of clients) {
    const response = await fetch(`${authz.config.authz.publicUrl}/admin/clients`, {
      headers: { 'x-forwarded-for': address },
    });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  return statuses;
}

/** The interaction cookie authz sets when an authorization request arrives with these headers. */
async function interactionCookie(authz: AuthzUnderTest, headers: Record<string, string>): Promise<string> {
  const url = client.buildAuthorizationUrl(authz.rp, {
    redirect_uri: authz.config.authz.clients[0]?.redirect_uris[0] ?? '',
    scope: 'openid national_id',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    resource: authz.config.authz.resources[0]?.identifier ?? '',
  });
  const response = await fetch(url, { headers, redirect: 'manual' });
  await response.arrayBuffer();
  expect(response.status).toBeGreaterThanOrEqual(300);
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith('_interaction='));
  expect(cookie).toBeDefined();
  return cookie ?? '';
}

describe('http.trustProxy: behind the configured proxy', () => {
  let authz: AuthzUnderTest;
  beforeAll(async () => {
    authz = await authzTrusting('loopback');
  });
  afterAll(async () => {
    await authz?.stop();
  });

  it('counts per-client limits per forwarded client, not per proxy', async () => {
    // Two calls allowed per address: the third from 203.0.113.1 is refused, 203.0.113.2 is not.
    expect(await adminCallsFrom(authz, ['203.0.113.1', '203.0.113.1', '203.0.113.1', '203.0.113.2'])).toEqual(
      [401, 401, 429, 401],
    );
  });

  it('marks authz cookies Secure when the proxy says the client came over https', async () => {
    expect(await interactionCookie(authz, { 'x-forwarded-proto': 'https' })).toMatch(/;\s*secure/i);
    expect(await interactionCookie(authz, {})).not.toMatch(/;\s*secure/i);
  });
});

describe('http.trustProxy: forged headers from a peer that is not the proxy', () => {
  let authz: AuthzUnderTest;
  beforeAll(async () => {
    // The proxy is elsewhere; this test's connection comes straight from 127.0.0.1.
    authz = await authzTrusting('192.0.2.10');
  });
  afterAll(async () => {
    await authz?.stop();
  });

  it('cannot escape a per-client limit by inventing X-Forwarded-For', async () => {
    expect(await adminCallsFrom(authz, ['203.0.113.1', '203.0.113.2', '203.0.113.3'])).toEqual([
      401, 401, 429,
    ]);
  });

  it('cannot claim https for the scheme', async () => {
    expect(await interactionCookie(authz, { 'x-forwarded-proto': 'https' })).not.toMatch(/;\s*secure/i);
  });
});

describe('http.trustProxy: configuration', () => {
  it('refuses an entry that is not an address or a range, naming it', () => {
    expect(() => loadConfig({ env: { ATTESTA_HTTP__TRUST_PROXY: '10.0.0.0/8, proxy.internal' } })).toThrow(
      /http\.trustProxy.*"proxy\.internal"/,
    );
    expect(loadConfig({ env: { ATTESTA_HTTP__TRUST_PROXY: '10.0.0.0/8, ::1' } }).http.trustProxy).toBe(
      '10.0.0.0/8, ::1',
    );
  });
});
