import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, decodeProtectedHeader, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  givenNameCredential,
  type StubKeys,
  startStubProvider,
  stubIdToken,
  verifyWithHeaderJwk,
} from './stub-provider.js';
import { CookieJar, type Stub, type StubRequest, startPortal, type TestPortal } from './stubs.js';

/**
 * A stub authorization server and issuer that offer PAR (not required) and DPoP (RFC 9449): the
 * portal must push the request with a DPoP proof, get a DPoP-bound token with the same key, and
 * present it at the credential endpoint with `ath`, answering the resource server's nonce demand.
 */
let stub: Stub;
let keys: StubKeys;
let portal: TestPortal;
let pushed: URLSearchParams | undefined;
const thumbprints: Record<string, string> = {};
let credentialCalls: { authorization: string | undefined; proof: JWTPayload }[] = [];

async function dpopOf(
  request: StubRequest,
  expected: { htm: string; htu: string },
): Promise<{ jkt: string; payload: JWTPayload }> {
  const proof = String(request.headers.dpop ?? '');
  const { header, jwk, payload } = await verifyWithHeaderJwk(proof, { typ: 'dpop+jwt' });
  expect(header.typ).toBe('dpop+jwt');
  expect(payload).toMatchObject(expected);
  expect(typeof payload.jti).toBe('string');
  return { jkt: await calculateJwkThumbprint(jwk), payload };
}

beforeAll(async () => {
  ({ stub, keys } = await startStubProvider((url) => ({
    pushed_authorization_request_endpoint: `${url}/par`,
    dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
  })));
  stub
    .on('POST /par', async (request) => {
      pushed = new URLSearchParams(request.body);
      thumbprints.par = (await dpopOf(request, { htm: 'POST', htu: `${stub.url}/par` })).jkt;
      return { status: 201, json: { request_uri: 'urn:ietf:params:oauth:request_uri:r1', expires_in: 60 } };
    })
    .on('POST /token', async (request) => {
      thumbprints.token = (await dpopOf(request, { htm: 'POST', htu: `${stub.url}/token` })).jkt;
      const idToken = await stubIdToken(stub, keys, pushed?.get('nonce'));
      return { json: { access_token: 'at-1', token_type: 'DPoP', expires_in: 300, id_token: idToken } };
    })
    .on('POST /nonce', () => ({ json: { c_nonce: 'n-1' } }))
    .on('POST /credential', async (request) => {
      const { jkt, payload } = await dpopOf(request, { htm: 'POST', htu: `${stub.url}/credential` });
      thumbprints.credential = jkt;
      credentialCalls.push({ authorization: request.headers.authorization, proof: payload });
      expect(payload.ath).toBe(createHash('sha256').update('at-1').digest('base64url'));
      // RFC 9449 §9: the resource server demands a nonce of its own first.
      if (payload.nonce !== 'rs-nonce') {
        return {
          status: 401,
          headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'rs-nonce' },
          json: { error: 'use_dpop_nonce' },
        };
      }
      const body = JSON.parse(request.body) as { proofs: { jwt: string[] } };
      const holderJwk = decodeProtectedHeader(body.proofs.jwt[0] ?? '').jwk as JWK;
      const credential = await givenNameCredential(stub, keys.issuer, holderJwk);
      return { json: { credentials: [{ credential }] } };
    });
  portal = await startPortal(stub.url);
});
afterAll(async () => {
  await portal?.stop();
  await stub?.stop();
});

it('pushes the request with DPoP, gets a DPoP-bound token and presents it with ath and the server nonce', async () => {
  credentialCalls = [];
  const jar = new CookieJar();
  const start = await jar.fetch(`${portal.url}/start/national_id_sd_jwt`);
  expect(start.status).toBe(303);
  // PAR is used because the server offers it, without requiring it.
  expect(new URL(start.headers.get('location') ?? '').searchParams.get('request_uri')).toBe(
    'urn:ietf:params:oauth:request_uri:r1',
  );
  expect(pushed?.get('ui_locales')).toBe('en');
  const state = pushed?.get('state') ?? '';
  const callback = await jar.fetch(
    `${portal.url}/callback?${new URLSearchParams({ code: 'c', state, iss: stub.url })}`,
  );
  expect(callback.status).toBe(303);
  expect(callback.headers.get('location')).toMatch(/^\/credentials\//);

  // One key for the whole flow: PAR, token and credential requests.
  expect(thumbprints.token).toBe(thumbprints.par);
  expect(thumbprints.credential).toBe(thumbprints.par);
  expect(credentialCalls.map((c) => c.authorization)).toEqual(['DPoP at-1', 'DPoP at-1']);
  expect(credentialCalls.map((c) => c.proof.nonce)).toEqual([undefined, 'rs-nonce']);
  expect(credentialCalls[0]?.proof.jti).not.toBe(credentialCalls[1]?.proof.jti);

  // A second flow has a key of its own.
  const previous = thumbprints.par;
  await jar.fetch(`${portal.url}/start/national_id_sd_jwt`);
  expect(thumbprints.par).not.toBe(previous);
});
