import { decodeJwt, type JWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalSigningKey } from '../../src/platform/keys/index.js';
import { signProof } from '../../src/portal/issuance/holder-proof.js';
import {
  givenNameCredential,
  type StubKeys,
  startStubProvider,
  stubIdToken,
  verifyWithHeaderJwk,
} from './stub-provider.js';
import { CookieJar, type Stub, startPortal, type TestPortal } from './stubs.js';

/**
 * "Bind to this browser" over HTTP: the portal hands the page a nonce and takes back a proof signed
 * by a key it never sees (here a test key plays the browser's), once, for the session only.
 */
let stub: Stub;
let keys: StubKeys;
let portal: TestPortal;
let authRequest: URLSearchParams | undefined;
let nonces = 0;
let refuseNonces = 0;

beforeAll(async () => {
  ({ stub, keys } = await startStubProvider());
  stub
    .on('POST /token', async () => {
      const idToken = await stubIdToken(stub, keys, authRequest?.get('nonce'));
      return { json: { access_token: 'at-1', token_type: 'Bearer', expires_in: 300, id_token: idToken } };
    })
    .on('POST /nonce', () => ({ json: { c_nonce: `n-${++nonces}` } }))
    .on('POST /credential', async (request) => {
      const proof = (JSON.parse(request.body) as { proofs: { jwt: string[] } }).proofs.jwt[0] ?? '';
      const { jwk, payload } = await verifyWithHeaderJwk(proof, { alg: 'ES256', audience: stub.url });
      if (refuseNonces > 0 || payload.nonce !== `n-${nonces}`) {
        refuseNonces--;
        return { status: 400, json: { error: 'invalid_nonce' } };
      }
      const credential = await givenNameCredential(stub, keys.issuer, jwk);
      return { json: { credentials: [{ credential }] } };
    });
  portal = await startPortal(stub.url);
});
afterAll(async () => {
  await portal?.stop();
  await stub?.stop();
});
beforeEach(() => {
  refuseNonces = 0;
});

/** Start in browser mode and come back from sign-in: returns the /bind/… path. */
async function toBind(jar: CookieJar): Promise<string> {
  const start = await jar.fetch(`${portal.url}/start/national_id_sd_jwt?holder=browser`);
  expect(start.status).toBe(303);
  authRequest = new URL(start.headers.get('location') ?? '').searchParams;
  const callback = await jar.fetch(
    `${portal.url}/callback?${new URLSearchParams({ code: 'c', state: authRequest.get('state') ?? '', iss: stub.url })}`,
  );
  expect(callback.status).toBe(303);
  const location = callback.headers.get('location') ?? '';
  expect(location).toMatch(/^\/bind\/[A-Za-z0-9_-]{32}$/);
  return location;
}

/** What the page's script does: read nonce and audience, sign with the browser's key, post back. */
async function signInPage(jar: CookieJar, path: string, key: LocalSigningKey): Promise<Response> {
  const page = await (await jar.fetch(`${portal.url}${path}`)).text();
  const audience = /data-audience="([^"]*)"/.exec(page)?.[1] ?? '';
  const nonce = /data-nonce="([^"]*)"/.exec(page)?.[1] ?? '';
  const proof = await signProof(key, { audience, nonce, iat: Math.floor(Date.now() / 1000) });
  return jar.fetch(`${portal.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ proof }).toString(),
  });
}

describe('bind to this browser', () => {
  it('gives the page the nonce and the script, and binds the credential to the key the page proved', async () => {
    const jar = new CookieJar();
    const path = await toBind(jar);
    const page = await (await jar.fetch(`${portal.url}${path}`)).text();
    expect(page).toContain('<script src="/assets/bind.js" defer></script>');
    expect(page).toContain(`data-audience="${stub.url}" data-nonce="n-${nonces}"`);
    expect(page).toContain(`<form method="post" action="${path}" id="bind-form">`);
    const script = await fetch(`${portal.url}/assets/bind.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain(
      "crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])",
    );

    const browserKey = await LocalSigningKey.generate('ES256');
    const done = await signInPage(jar, path, browserKey);
    expect(done.status).toBe(303);
    const result = done.headers.get('location') ?? '';
    expect(result).toMatch(/^\/credentials\//);
    const card = await (await jar.fetch(`${portal.url}${result}`)).text();
    expect(card).toContain('data-testid="bound-to-browser"');
    const credential = await (await jar.fetch(`${portal.url}${result}/download`)).text();
    const { cnf } = decodeJwt(credential.split('~')[0] ?? '') as { cnf: { jwk: JWK } };
    expect(cnf.jwk.x).toBe(browserKey.publicJwk.x);

    // Taken once: a second post of the same page finds nothing.
    const again = await signInPage(jar, path, browserKey);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('data-message="expired"');
  });

  it('is invisible to another browser, and refuses a malformed proof with a page', async () => {
    const jar = new CookieJar();
    const path = await toBind(jar);
    const stranger = new CookieJar();
    expect((await stranger.fetch(`${portal.url}${path}`)).status).toBe(400);
    const foreign = await stranger.fetch(`${portal.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'proof=a.b.c',
    });
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toContain('data-message="expired"');
    const malformed = await jar.fetch(`${portal.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'proof=%3Cscript%3E',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('data-message="badRequest"');
    // The owner's pending issuance is still there after both.
    expect((await jar.fetch(`${portal.url}${path}`)).status).toBe(200);
  });

  it('sends the page round once more with a fresh nonce when the issuer refuses one, then gives up', async () => {
    const jar = new CookieJar();
    const path = await toBind(jar);
    const key = await LocalSigningKey.generate('ES256');
    refuseNonces = 1;
    const retry = await signInPage(jar, path, key);
    expect(retry.status).toBe(303);
    const second = retry.headers.get('location') ?? '';
    expect(second).toMatch(/^\/bind\//);
    expect(second).not.toBe(path);
    expect((await signInPage(jar, second, key)).headers.get('location')).toMatch(/^\/credentials\//);

    const other = await toBind(jar);
    refuseNonces = 2;
    const first = await signInPage(jar, other, key);
    const giveUp = await signInPage(jar, first.headers.get('location') ?? '', key);
    expect(giveUp.status).toBe(502);
    expect(await giveUp.text()).toContain(
      '<code id="error-code" data-testid="error-code">invalid_nonce</code>',
    );
  });
});
