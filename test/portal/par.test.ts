import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { asMetadata, CookieJar, issuerMetadata, Stub, startPortal, type TestPortal } from './stubs.js';

let stub: Stub;
let portal: TestPortal;
beforeAll(async () => {
  stub = await Stub.start();
  stub
    .on('GET /.well-known/openid-credential-issuer', () => ({ json: issuerMetadata(stub.url, stub.url) }))
    .on('GET /.well-known/openid-configuration', () => ({
      json: {
        ...asMetadata(stub.url),
        pushed_authorization_request_endpoint: `${stub.url}/par`,
        require_pushed_authorization_requests: true,
      },
    }))
    .on('POST /par', () => ({
      status: 201,
      json: { request_uri: 'urn:ietf:params:oauth:request_uri:r1', expires_in: 60 },
    }));
  portal = await startPortal(stub.url);
});
afterAll(async () => {
  await portal?.stop();
  await stub?.stop();
});

it('pushes the authorization request (RFC 9126) with private_key_jwt when the server requires it', async () => {
  const response = await new CookieJar().fetch(`${portal.url}/start/national_id_sd_jwt`);
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location') ?? '');
  expect(Object.fromEntries(location.searchParams)).toEqual({
    client_id: 'portal',
    request_uri: 'urn:ietf:params:oauth:request_uri:r1',
  });
  const pushed = new URLSearchParams(stub.requests.find((r) => r.path === '/par')?.body);
  expect(pushed.get('scope')).toBe('openid national_id');
  expect(pushed.get('resource')).toBe(stub.url);
  expect(pushed.get('code_challenge_method')).toBe('S256');
  await jwtVerify(
    pushed.get('client_assertion') ?? '',
    createRemoteJWKSet(new URL(`${portal.url}/.well-known/jwks.json`)),
    { issuer: 'portal', subject: 'portal', audience: stub.url },
  );
});

it('shows a friendly page when the authorization server cannot be reached', async () => {
  const dead = await Stub.start();
  await dead.stop();
  const issuer = await Stub.start();
  issuer.on('GET /.well-known/openid-credential-issuer', () => ({
    json: issuerMetadata(issuer.url, dead.url),
  }));
  const lonely = await startPortal(issuer.url);
  try {
    const response = await fetch(`${lonely.url}/start/national_id_sd_jwt`, { redirect: 'manual' });
    expect(response.status).toBe(503);
    const page = await response.text();
    expect(page).toContain('The sign-in service is not available');
    expect(page).toContain('>unreachable</code>');
  } finally {
    await lonely.stop();
    await issuer.stop();
  }
});
