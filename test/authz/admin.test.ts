import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { AMARA, authorize, authzForFile, generateClientKey } from './helpers.js';
import { addTestClients, RP_REDIRECT, rpFor, serverMetadata, type TestClients } from './protocol-setup.js';

let clients: TestClients;
let server: client.ServerMetadata;
let admin: client.Configuration;

const authz = authzForFile(async (test) => {
  clients = await addTestClients(test.config);
});
beforeAll(async () => {
  server = await serverMetadata(authz.config);
  admin = rpFor(server, 'admin', clients.admin.key);
});

const issuer = () => authz.config.authz.publicUrl;
const issuerResource = () => authz.config.authz.resources[0]?.identifier ?? '';
const jwks = () => createRemoteJWKSet(new URL(`${issuer()}/jwks`));

async function adminToken(): Promise<string> {
  return (await client.clientCredentialsGrant(admin, { scope: 'authz:admin' })).access_token;
}

function api(path: string, token: string | undefined, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.body) headers.set('content-type', 'application/json');
  return fetch(`${issuer()}${path}`, { ...init, headers });
}

describe('client_credentials for admin clients', () => {
  it("issues a JWT access token (at+jwt) for the issuer's admin API", async () => {
    const tokens = await client.clientCredentialsGrant(admin, {
      scope: 'issuer:admin',
      resource: issuerResource(),
    });
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks(), {
      issuer: issuer(),
      audience: issuerResource(),
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ client_id: 'admin', scope: 'issuer:admin' });
    expect(payload.sub).toBe('admin');
  });

  it("issues a token for authz's own admin API (audience <issuer>/admin)", async () => {
    const payload = decodeJwt(await adminToken());
    expect(payload.aud).toBe(`${issuer()}/admin`);
    expect(payload.scope).toBe('authz:admin');
  });

  it('refuses client_credentials to a client registered without it (unauthorized_client)', async () => {
    const rp = rpFor(server, 'rp', clients.rp.key);
    const error = await client.clientCredentialsGrant(rp, { scope: 'authz:admin' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(client.ResponseBodyError);
    expect((error as client.ResponseBodyError).error).toBe('unauthorized_client');
  });

  it('grants no scope the client is not registered for', async () => {
    const portalKey = await generateClientKey();
    const other = rpFor(server, 'admin', portalKey);
    const error = await client
      .clientCredentialsGrant(other, { scope: 'authz:admin' })
      .catch((e: unknown) => e);
    expect((error as client.ResponseBodyError).error).toBe('invalid_client');
  });
});

describe('admin API', () => {
  it('requires a Bearer token with the authz:admin scope for authz', async () => {
    const none = await api('/admin/clients', undefined);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: 'invalid_request' });
    // A token for the issuer (another audience) is not accepted here.
    const forIssuer = await client.clientCredentialsGrant(admin, {
      scope: 'issuer:admin',
      resource: issuerResource(),
    });
    const wrongAudience = await api('/admin/clients', forIssuer.access_token);
    expect(wrongAudience.status).toBe(401);
    expect(await wrongAudience.json()).toMatchObject({ error: 'invalid_token' });
    expect(wrongAudience.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    const tampered = await api('/admin/clients', `${(await adminToken()).slice(0, -4)}AAAA`);
    expect(tampered.status).toBe(401);
  });

  it('answers insufficient_scope to a token for the admin API without the authz:admin scope', async () => {
    const key = await generateClientKey();
    const record = {
      client_id: 'weak',
      redirect_uris: [],
      jwks: { keys: [key.publicJwk] },
      scope: 'issuer:admin',
      grant_types: ['client_credentials'],
    };
    const added = await api('/admin/clients', await adminToken(), {
      method: 'POST',
      body: JSON.stringify(record),
    });
    expect(added.status).toBe(201);
    const weak = rpFor(server, 'weak', key);
    const token = await client.clientCredentialsGrant(weak, { resource: `${issuer()}/admin` });
    expect(decodeJwt(token.access_token)).toMatchObject({ aud: `${issuer()}/admin`, client_id: 'weak' });
    expect(decodeJwt(token.access_token).scope).toBeUndefined();
    const response = await api('/admin/clients', token.access_token);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
    expect(response.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
  });

  it('refuses a DPoP-bound token presented as Bearer', async () => {
    const dpop = client.getDPoPHandle(admin, await client.randomDPoPKeyPair('ES256'));
    const bound = await client.clientCredentialsGrant(admin, { scope: 'authz:admin' }, { DPoP: dpop });
    expect(decodeJwt(bound.access_token).cnf).toBeDefined();
    const response = await api('/admin/clients', bound.access_token);
    expect(response.status).toBe(401);
  });

  it('lists, adds, updates, disables and enables clients, and records who did what', async () => {
    const token = await adminToken();
    const listed = await (await api('/admin/clients', token)).json();
    expect(listed.clients.map((c: { client_id: string }) => c.client_id)).toEqual(
      expect.arrayContaining(['portal', 'fapi', 'rp', 'admin']),
    );

    const key = await generateClientKey();
    const record = {
      client_id: 'newcomer',
      client_name: 'Newcomer',
      client_names: { fr: 'Nouveau venu' },
      logo_uri: 'https://newcomer.example/logo.png',
      redirect_uris: [RP_REDIRECT],
      jwks: { keys: [key.publicJwk] },
      scope: 'openid national_id',
      acr_values: ['urn:attesta:acr:kbi'],
    };
    const added = await api('/admin/clients', token, { method: 'POST', body: JSON.stringify(record) });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ client_id: 'newcomer' });
    const again = await api('/admin/clients', token, { method: 'POST', body: JSON.stringify(record) });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: 'conflict' });

    // The new client works at once (oidc-provider reads it from the database).
    const newcomer = rpFor(server, 'newcomer', key);
    const run = await authorize(authz.config, newcomer, AMARA, { redirect_uri: RP_REDIRECT, resource: '' });
    expect(run.url.searchParams.get('code')).toBeTruthy();
    const tokens = await client.authorizationCodeGrant(newcomer, run.url, {
      pkceCodeVerifier: run.codeVerifier,
      expectedState: run.state,
    });
    expect(tokens.access_token).toBeTruthy();

    const updated = await api('/admin/clients/newcomer', token, {
      method: 'PATCH',
      body: JSON.stringify({ client_name: 'Newcomer Ltd', logo_uri: null }),
    });
    expect(updated.status).toBe(200);
    const body = await updated.json();
    expect(body.client_name).toBe('Newcomer Ltd');
    expect(body.logo_uri).toBeUndefined();

    const disabled = await api('/admin/clients/newcomer/disable', token, { method: 'POST' });
    expect((await disabled.json()).disabled).toBe(true);
    // A disabled client is unknown: its authorization request ends on authz's error page…
    const refused = await authorize(authz.config, newcomer, AMARA, {
      redirect_uri: RP_REDIRECT,
      resource: '',
    });
    expect(refused.response.status).toBe(400);
    expect(refused.url.origin).toBe(issuer());
    // …and its token requests fail client authentication.
    const error = await client
      .authorizationCodeGrant(newcomer, run.url, {
        pkceCodeVerifier: run.codeVerifier,
        expectedState: run.state,
      })
      .catch((e: unknown) => e);
    expect((error as client.ResponseBodyError).error).toBe('invalid_client');

    const enabled = await api('/admin/clients/newcomer/enable', token, { method: 'POST' });
    expect((await enabled.json()).disabled).toBe(false);

    const audit = (await (await api('/admin/audit?limit=20', token)).json()).entries as {
      actor: string;
      action: string;
      target: string;
      at: string;
    }[];
    const mine = audit.filter((e) => e.target === 'newcomer').map((e) => `${e.actor} ${e.action}`);
    expect(mine).toEqual([
      'client:admin client.enable',
      'client:admin client.disable',
      'client:admin client.update',
      'client:admin client.add',
    ]);
    expect(audit.find((e) => e.target === 'portal')).toMatchObject({
      actor: 'config:seed',
      action: 'client.add',
    });
    expect(Date.parse(audit[0]?.at ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it("lets the pages' forms reach a new client's callback (CSP form-action follows the clients)", async () => {
    const token = await adminToken();
    const key = await generateClientKey();
    const csp = async () => (await fetch(`${issuer()}/health`)).headers.get('content-security-policy') ?? '';
    expect(await csp()).not.toContain('https://csp.example');
    const record = {
      client_id: 'csp-client',
      redirect_uris: ['https://csp.example/cb'],
      jwks: { keys: [key.publicJwk] },
      scope: 'openid',
    };
    expect(
      (await api('/admin/clients', token, { method: 'POST', body: JSON.stringify(record) })).status,
    ).toBe(201);
    expect(await csp()).toMatch(/form-action 'self'[^;]* https:\/\/csp\.example/);
    await api('/admin/clients/csp-client/disable', token, { method: 'POST' });
    expect(await csp()).not.toContain('https://csp.example');
  });

  it('refuses invalid client records with invalid_client_metadata', async () => {
    const token = await adminToken();
    const cases: [unknown, RegExp][] = [
      [{ client_id: 'bad1', redirect_uris: [RP_REDIRECT], scope: 'openid' }, /jwks/],
      [{ client_id: 'bad2', redirect_uris: [], jwks: { keys: [] }, scope: 'openid' }, /redirect URI/],
      [
        { client_id: 'bad3', redirect_uris: ['not a uri'], jwks: { keys: [] }, scope: 'openid' },
        /redirect_uris/,
      ],
      [
        { client_id: 'bad4', redirect_uris: [RP_REDIRECT], jwks: { keys: [] }, scope: 'openid', extra: 1 },
        /.+/,
      ],
      [
        { client_id: 'bad 5', redirect_uris: [RP_REDIRECT], jwks: { keys: [] }, scope: 'openid' },
        /client_id/,
      ],
    ];
    for (const [record, message] of cases) {
      const response = await api('/admin/clients', token, { method: 'POST', body: JSON.stringify(record) });
      expect(response.status).toBe(400);
      const body = await response.json();
      expect(body.error).toBe('invalid_client_metadata');
      expect(body.error_description).toMatch(message);
    }
    const missing = await api('/admin/clients/nobody', token, {
      method: 'PATCH',
      body: '{"client_name":"x"}',
    });
    expect(missing.status).toBe(404);
    const notJson = await api('/admin/clients', token, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
  });
});
