import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../src/issuer/admin/index.js';
import type { IssuanceTables } from '../../src/issuer/issuance/database.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { type ForeignAs, startForeignAs } from './helpers/foreign-as.js';
import { issuerConfig, startIssuer, type TestIssuer } from './helpers/issuer.js';

let issuer: TestIssuer;
let as: ForeignAs;
let untrusted: ForeignAs;
let apiKey: string;
let revokedKey: string;

const ADMIN = { sub: 'admin-client', client_id: 'admin-client', scope: 'issuer:admin' };

beforeAll(async () => {
  const prepared = await issuerConfig();
  as = await startForeignAs({ audience: prepared.config.issuer.publicUrl });
  untrusted = await startForeignAs({ audience: prepared.config.issuer.publicUrl });
  issuer = await startIssuer([as.url], prepared);
  // The CLI's way of making keys: straight into the issuer database.
  const database = openDatabase<IssuanceTables>(issuer.config.issuer.database);
  const keys = new ApiKeyStore(database.db);
  apiKey = (await keys.create('test')).key;
  const revoked = await keys.create('old');
  await keys.revoke(revoked.id);
  revokedKey = revoked.key;
  await database.close();
});

afterAll(async () => {
  await issuer?.stop();
  await Promise.all([as?.stop(), untrusted?.stop()]);
});

async function audit(authorization?: string) {
  const response = await fetch(`${issuer.url}/admin/audit?limit=500`, {
    headers: authorization ? { authorization } : {},
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as never };
}

describe('admin authentication', () => {
  it('refuses a call without credentials with a bare Bearer challenge', async () => {
    const { status, headers, body } = await audit();
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer');
    expect(body).toEqual({ error: 'invalid_request', error_description: 'admin credentials required' });
  });

  it('refuses another scheme, a wrong or revoked API key, and a malformed token', async () => {
    expect((await audit('Basic YWRtaW46YWRtaW4=')).status).toBe(401);
    const wrong = await audit(`Bearer ${apiKey.slice(0, -4)}AAAA`);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'invalid_token', error_description: 'unknown or revoked API key' });
    expect((await audit(`Bearer ${revokedKey}`)).body).toEqual({
      error: 'invalid_token',
      error_description: 'unknown or revoked API key',
    });
    expect((await audit('Bearer not-a-jwt')).body).toEqual({
      error: 'invalid_token',
      error_description: 'access token is not a JWT',
    });
  });

  it('refuses tokens from an untrusted server, for another audience, without the admin scope, or of a person', async () => {
    const foreign = await audit(`Bearer ${await untrusted.mint({ claims: ADMIN })}`);
    expect(foreign.status).toBe(401);
    expect(foreign.body).toMatchObject({ error_description: 'access token issuer is not trusted' });
    const otherAudience = await audit(
      `Bearer ${await as.mint({ claims: { ...ADMIN, aud: 'https://elsewhere.example' } })}`,
    );
    expect(otherAudience.body).toMatchObject({
      error_description: 'access token audience is not this issuer',
    });
    const noScope = await audit(`Bearer ${await as.mint({ claims: { ...ADMIN, scope: 'national_id' } })}`);
    expect(noScope.status).toBe(403);
    expect(noScope.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'the access token lacks scope issuer:admin',
    });
    // A person's token (sub is the person, not the client) never qualifies, even with the scope.
    const person = await audit(`Bearer ${await as.mint({ claims: { ...ADMIN, sub: '5102030400' } })}`);
    expect(person.status).toBe(403);
    expect(person.body).toMatchObject({ error: 'insufficient_scope' });
  });

  it('accepts a client-credentials token with the admin scope and an API key, and audits every call', async () => {
    const byToken = await audit(`Bearer ${await as.mint({ claims: ADMIN })}`);
    expect(byToken.status).toBe(200);
    expect(byToken.headers.get('cache-control')).toBe('no-store');
    const byKey = await audit(`Bearer ${apiKey}`);
    expect(byKey.status).toBe(200);
    const entries = (byKey.body as { entries: { actor: string; action: string; outcome: string }[] }).entries;
    expect(entries[0]).toMatchObject({ actor: expect.stringMatching(/^api_key:/), outcome: 'allowed' });
    expect(entries[1]).toMatchObject({ actor: 'oauth:admin-client', action: 'GET /admin/audit' });
    // Refusals are counted per minute, route, reason and source, not written one row each.
    expect(entries.some((e) => e.outcome === 'refused')).toBe(false);
    const refusals = await fetch(`${issuer.url}/admin/audit/refusals`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const rows = ((await refusals.json()) as { refusals: { reason: string; calls: number }[] }).refusals;
    expect(rows.reduce((n, row) => n + row.calls, 0)).toBeGreaterThanOrEqual(8);
    expect(rows.map((row) => row.reason)).toContain('admin credentials required');
  });
});

describe('least privilege for offers', () => {
  const OFFERS = { sub: 'portal', client_id: 'portal', scope: 'issuer:offers' };
  const offer = (token: string) =>
    fetch(`${issuer.url}/admin/offers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ credential_configuration_ids: ['national_id_sd_jwt'], subject: '5102030400' }),
    });

  it('an issuer:offers token may create an offer and nothing else', async () => {
    const token = await as.mint({ claims: OFFERS });
    expect((await offer(token)).status).toBe(201);
    const other = await audit(`Bearer ${token}`);
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error: 'insufficient_scope' });
    expect(other.headers.get('www-authenticate')).toContain('scope="issuer:admin"');
  });

  it('a person token with credential scopes cannot create offers', async () => {
    const person = await as.mint({
      claims: { sub: '5102030400', client_id: 'portal', scope: 'issuer:offers' },
    });
    const response = await offer(person);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
    const credentialScopes = await as.mint({ claims: { ...OFFERS, scope: 'national_id' } });
    expect((await offer(credentialScopes)).status).toBe(403);
  });
});
