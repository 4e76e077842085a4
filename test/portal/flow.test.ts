import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, type JWK, type JWTPayload, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueSdJwtVc } from '../../src/credentials/formats/sd-jwt-vc/index.js';
import { LocalSigningKey } from '../../src/platform/keys/index.js';
import { DIALECTS, isPostgresAvailable } from '../helpers/databases.js';
import {
  givenNameCredential,
  type StubKeys,
  startStubProvider,
  stubIdToken,
  verifyWithHeaderJwk,
} from './stub-provider.js';
import { CookieJar, type Stub, type StubRequest, startPortal, type TestPortal } from './stubs.js';

/**
 * The portal against a stub that plays both authorization server and credential issuer: the stub
 * checks what the portal sends (PKCE, client assertion, resource, proof) with jose, and each test
 * can make one step fail.
 */
let stub: Stub;
let keys: StubKeys;
let portal: TestPortal;
let pending: URLSearchParams | undefined;
let tokenRequests: URLSearchParams[] = [];
let proofs: { header: Record<string, unknown>; payload: JWTPayload }[] = [];
let nonces = 0;
/** Per-test overrides of the stub's endpoints. */
let scenario: {
  token?: () => { status: number; json: unknown };
  credential?: (
    request: StubRequest,
    proofJwk: JWK,
  ) => Promise<{ status: number; json?: unknown; headers?: Record<string, string> } | undefined>;
  signingKey?: LocalSigningKey;
};

async function tokenEndpoint(request: StubRequest) {
  const body = new URLSearchParams(request.body);
  tokenRequests.push(body);
  if (scenario.token) return scenario.token();
  const challenge = createHash('sha256')
    .update(body.get('code_verifier') ?? '')
    .digest('base64url');
  if (challenge !== pending?.get('code_challenge')) return { status: 400, json: { error: 'invalid_grant' } };
  const idToken = await stubIdToken(stub, keys, pending?.get('nonce'));
  return {
    status: 200,
    json: {
      access_token: 'at-1',
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken,
      scope: 'openid national_id',
    },
  };
}

async function credentialEndpoint(request: StubRequest) {
  const body = JSON.parse(request.body) as { credential_configuration_id: string; proofs: { jwt: string[] } };
  const proof = body.proofs.jwt[0] ?? '';
  const { header, jwk, payload } = await verifyWithHeaderJwk(proof, {
    alg: 'ES256',
    typ: 'openid4vci-proof+jwt',
    audience: stub.url,
  });
  proofs.push({ header, payload });
  const custom = await scenario.credential?.(request, jwk);
  if (custom) return custom;
  if (request.headers.authorization !== 'Bearer at-1')
    return { status: 401, json: { error: 'invalid_token' } };
  if (payload.nonce !== `n-${nonces}`) return { status: 400, json: { error: 'invalid_nonce' } };
  const credential = await issueSdJwtVc({
    issuerKey: scenario.signingKey ?? keys.issuer,
    issuer: stub.url,
    vct: `${stub.url}/national_id`,
    claims: {
      given_name: 'Amara',
      family_name: 'Okafor <b>',
      birthdate: '1970-03-13',
      address: { locality: 'Lagos', country: 'NG' },
    },
    disclosable: ['given_name', 'family_name', 'birthdate', 'address.locality', 'address.country'],
    holderJwk: jwk,
    iat: Math.floor(Date.now() / 1000),
  });
  return { status: 200, json: { credentials: [{ credential }] } };
}

beforeAll(async () => {
  ({ stub, keys } = await startStubProvider());
  stub
    .on('POST /token', tokenEndpoint)
    .on('POST /nonce', () => ({
      json: { c_nonce: `n-${++nonces}` },
      headers: { 'cache-control': 'no-store' },
    }))
    .on('POST /credential', credentialEndpoint);
  portal = await startPortal(stub.url);
});
afterAll(async () => {
  await portal?.stop();
  await stub?.stop();
});
beforeEach(() => {
  scenario = {};
  pending = undefined;
  tokenRequests = [];
  proofs = [];
});

/** `GET /start/…` as a browser would: returns the authorization request the portal redirected to. */
async function start(jar: CookieJar, id = 'national_id_sd_jwt'): Promise<URLSearchParams> {
  const response = await jar.fetch(`${portal.url}/start/${id}`);
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(`${stub.url}/auth`);
  pending = location.searchParams;
  return location.searchParams;
}

/** The authorization server's redirect back to the portal. */
function callback(jar: CookieJar, query: Record<string, string>): Promise<Response> {
  return jar.fetch(`${portal.url}/callback?${new URLSearchParams(query)}`);
}

async function approved(jar: CookieJar): Promise<Response> {
  const auth = await start(jar);
  return callback(jar, { code: 'code-1', state: auth.get('state') ?? '', iss: stub.url });
}

describe('authorization request', () => {
  it('redirects with PKCE S256, fresh state and nonce, the scope and the issuer as resource', async () => {
    const jar = new CookieJar();
    const first = await start(jar);
    expect(Object.fromEntries(first)).toEqual({
      client_id: 'portal',
      response_type: 'code',
      redirect_uri: `${portal.url}/callback`,
      scope: 'openid national_id',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
      resource: stub.url,
      ui_locales: 'en',
    });
    const second = await start(jar);
    for (const name of ['state', 'nonce', 'code_challenge'])
      expect(second.get(name)).not.toBe(first.get(name));
    expect(first.get('state')).not.toBe(first.get('nonce'));

    const cookie = jar.raw[0] ?? '';
    expect(cookie).toMatch(/^attesta_portal=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(jar.raw.slice(1).every((c) => c.split(';')[0] === cookie.split(';')[0])).toBe(true);
  });

  it('asks for the draft-13 configuration by its scope too', async () => {
    expect((await start(new CookieJar(), 'draft13_card')).get('scope')).toBe('openid draft13');
  });
});

describe('callback', () => {
  it('refuses a missing, unknown or foreign state with a page that leads back', async () => {
    const mine = new CookieJar();
    const auth = await start(mine);
    const state = auth.get('state') ?? '';
    const attempts = [
      callback(new CookieJar(), { code: 'c', state }), // no session cookie
      callback(mine, { code: 'c' }), // no state
      callback(mine, { code: 'c', state: `${state}x` }), // unknown state
      callback(
        await (async () => {
          const other = new CookieJar();
          await start(other);
          return other;
        })(),
        { code: 'c', state },
      ), // someone else's state
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(400);
      const page = await response.text();
      expect(page).toContain('This sign-in has expired');
      expect(page).toContain('<a class="button secondary" id="back-home" data-testid="back-home" href="/">');
    }
    expect(tokenRequests).toHaveLength(0);
    // The rightful session can still use its state, once.
    expect((await callback(mine, { error: 'access_denied', state })).status).toBe(200);
    expect((await callback(mine, { error: 'access_denied', state })).status).toBe(400);
  });

  it('shows a cancelled page when the person declines, and the code of other errors', async () => {
    const jar = new CookieJar();
    let auth = await start(jar);
    const cancelled = await callback(jar, { error: 'access_denied', state: auth.get('state') ?? '' });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.text()).toContain('Sign-in cancelled');

    auth = await start(jar);
    const failed = await callback(jar, { error: 'server_error<script>', state: auth.get('state') ?? '' });
    expect(failed.status).toBe(502);
    const page = await failed.text();
    expect(page).toContain('Sign-in did not complete');
    expect(page).toContain('<code id="error-code" data-testid="error-code">server_errorscript</code>');
  });

  it('tells a refused consent and a locked sign-in apart from a cancel, with when to try again', async () => {
    const jar = new CookieJar();
    const answer = async (error_description: string) => {
      const auth = await start(jar, 'national_id_sd_jwt?lang=fr');
      const response = await callback(jar, {
        error: 'access_denied',
        error_description,
        state: auth.get('state') ?? '',
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    const denied = await answer('the End-User denied consent');
    expect(denied).toContain('data-message="denied"');
    expect(denied).toContain('Vous n’avez pas accepté de partager vos informations');
    const until = new Date(Date.now() + 14 * 60_000 + 30_000);
    const locked = await answer(`too many failed sign-in attempts; locked until ${until.toISOString()}`);
    expect(locked).toContain('data-message="locked"');
    expect(locked).toContain('L’identification est bloquée pour l’instant');
    expect(locked).toContain(`après ${until.toISOString().slice(11, 16)} UTC (dans environ 15 minutes)`);
    // Nothing says which detail was wrong.
    expect(locked).toContain('nous ne disons pas quelle information ne correspondait pas');
    const notLocked = await answer('too many failed sign-in attempts');
    expect(notLocked).toContain('data-message="locked"');
    expect(notLocked).toContain('Vous pouvez recommencer dès maintenant');
    // Another server's description, or a forged time, is read as a cancel or as no time at all.
    expect(await answer('user pressed back')).toContain('data-message="cancelled"');
    expect(await answer('too many failed sign-in attempts; locked until <script>')).toContain(
      'data-message="cancelled"',
    );
  });

  it('answers an unknown address with a 404 page in the person’s language, not JSON', async () => {
    const response = await fetch(`${portal.url}/no/such/page`, { headers: { 'accept-language': 'ar' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await response.text();
    expect(page).toContain('<html lang="ar" dir="rtl">');
    expect(page).toContain('الصفحة غير موجودة');
    expect(page).toContain('data-testid="back-home" href="/"');
  });

  it('answers a malformed callback with a page, not JSON or a 500', async () => {
    const response = await fetch(`${portal.url}/callback?state=${'x'.repeat(600)}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });
});

describe('token request', () => {
  it('authenticates with a private_key_jwt the published JWKS verifies, and sends verifier and resource', async () => {
    const jar = new CookieJar();
    const response = await approved(jar);
    expect(response.status).toBe(303);
    const [request] = tokenRequests;
    expect(request?.get('grant_type')).toBe('authorization_code');
    expect(request?.get('code')).toBe('code-1');
    expect(request?.get('redirect_uri')).toBe(`${portal.url}/callback`);
    expect(request?.get('resource')).toBe(stub.url);
    expect(request?.get('client_id')).toBe('portal');
    expect(request?.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );

    const jwksUrl = new URL(`${portal.url}/.well-known/jwks.json`);
    const jwks = (await (await fetch(jwksUrl)).json()) as { keys: JWK[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const assertion = request?.get('client_assertion') ?? '';
    const { payload, protectedHeader } = await jwtVerify(assertion, createRemoteJWKSet(jwksUrl), {
      issuer: 'portal',
      subject: 'portal',
      audience: stub.url,
      algorithms: ['ES256'],
    });
    expect(protectedHeader.kid).toBe(jwks.keys[0]?.kid);
    expect(payload.exp).toBe((payload.iat ?? 0) + 60);
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // A second token request uses a new jti.
    await approved(new CookieJar());
    expect(decodeJwt(tokenRequests[1]?.get('client_assertion') ?? '').jti).not.toBe(payload.jti);
  });

  it('shows what failed when the authorization server refuses the code', async () => {
    scenario.token = () => ({
      status: 400,
      json: { error: 'invalid_grant', error_description: 'code expired' },
    });
    const response = await approved(new CookieJar());
    expect(response.status).toBe(502);
    const page = await response.text();
    expect(page).toContain('Sign-in could not be confirmed');
    expect(page).toContain('>invalid_grant</code>');
    expect(page).not.toContain('code expired');
  });
});

describe('issuance', () => {
  it('proves a fresh holder key with the issuer nonce and shows the verified claims', async () => {
    const jar = new CookieJar();
    const response = await approved(jar);
    expect(response.status).toBe(303);
    const location = response.headers.get('location') ?? '';
    expect(location).toMatch(/^\/credentials\/[A-Za-z0-9_-]{22}$/);

    const [proof] = proofs;
    expect(proof?.header).toMatchObject({ typ: 'openid4vci-proof+jwt', alg: 'ES256' });
    expect(proof?.header).not.toHaveProperty('kid');
    expect(Object.keys(proof?.header.jwk as object).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(proof?.payload).toEqual({ aud: stub.url, iat: expect.any(Number), nonce: `n-${nonces}` });

    const result = await jar.fetch(`${portal.url}${location}`);
    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toBe('no-store');
    const page = await result.text();
    expect(page).toContain('<h1 id="credential-title">National ID</h1>');
    expect(page).toContain('<dl class="claims" id="claims" data-testid="claims">');
    expect(page).toContain(
      '<div class="claim" data-claim="given_name"><dt>Given name</dt><dd data-claim-value="given_name">Amara</dd>',
    );
    expect(page).toContain('data-claim-value="family_name">Okafor &lt;b&gt;</dd>');
    // No label in the metadata: the claim's name; the date written out, the ISO date kept in <time>.
    expect(page).toContain(
      '<dt>birthdate</dt><dd data-claim-value="birthdate"><time datetime="1970-03-13">13 March 1970</time></dd>',
    );
    expect(page).toContain(
      '<div class="claim" data-claim="address.locality"><dt>Town</dt><dd data-claim-value="address.locality">Lagos</dd>',
    );
    expect(page).not.toContain('data-claim="cnf"');
    expect(page).not.toContain('data-claim="iss"');
    // Labelled claims come first, in metadata order.
    expect(page.indexOf('data-claim="given_name"')).toBeLessThan(page.indexOf('data-claim="birthdate"'));

    const download = await jar.fetch(`${portal.url}${location}/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/dc+sd-jwt');
    expect(download.headers.get('content-disposition')).toBe(
      'attachment; filename="national_id_sd_jwt.sd-jwt"',
    );
    const credential = await download.text();
    expect(credential.split('~').length).toBeGreaterThan(3);
    expect(decodeJwt(credential.split('~')[0] ?? '').cnf).toEqual({ jwk: proof?.header.jwk });
    expect(page).toContain(`href="${location}/download" download`);

    // Nobody else sees it.
    for (const path of [location, `${location}/download`]) {
      const foreign = await new CookieJar().fetch(`${portal.url}${path}`);
      expect(foreign.status).toBe(404);
      expect(await foreign.text()).not.toContain('Amara');
    }
  });

  it('uses a new holder key for every download', async () => {
    await approved(new CookieJar());
    await approved(new CookieJar());
    expect(proofs).toHaveLength(2);
    expect(proofs[0]?.header.jwk).not.toEqual(proofs[1]?.header.jwk);
  });

  it('retries once with a fresh nonce when the issuer answers invalid_nonce', async () => {
    let refused = false;
    scenario.credential = async () => {
      if (refused) return undefined;
      refused = true;
      return { status: 400, json: { error: 'invalid_nonce' } };
    };
    const before = nonces;
    expect((await approved(new CookieJar())).status).toBe(303);
    expect(nonces).toBe(before + 2);
    expect(proofs.map((p) => p.payload.nonce)).toEqual([`n-${before + 1}`, `n-${before + 2}`]);
  });

  it.each([
    [{ status: 400, json: { error: 'invalid_proof', error_description: 'bad' } }, 'invalid_proof'],
    [{ status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }, 'invalid_token'],
    [{ status: 403, json: {} }, 'http_403'],
    [{ status: 200, json: { credentials: [] } }, 'invalid_response'],
  ])('names the issuer error on a clear page (%j)', async (answer, code) => {
    scenario.credential = async () => answer;
    const response = await approved(new CookieJar());
    expect(response.status).toBe(502);
    const page = await response.text();
    expect(page).toContain('The credential was not issued');
    expect(page).toContain(`<code id="error-code" data-testid="error-code">${code}</code>`);
    expect(page).not.toContain('at-1');
    expect(page).not.toMatch(/Error:|\.ts:\d/);
  });

  it('refuses a credential bound to another key or signed by an unknown key', async () => {
    const stranger = await LocalSigningKey.generate('ES256');
    scenario.credential = async (request) => {
      const credential = await givenNameCredential(stub, keys.issuer, stranger.publicJwk);
      expect(request.headers.authorization).toBe('Bearer at-1');
      return { status: 200, json: { credentials: [{ credential }] } };
    };
    let response = await approved(new CookieJar());
    expect(response.status).toBe(502);
    let page = await response.text();
    expect(page).toContain('The credential could not be verified');
    expect(page).toContain('>holder_binding_mismatch</code>');

    scenario.credential = undefined;
    scenario.signingKey = stranger;
    response = await approved(new CookieJar());
    expect(response.status).toBe(502);
    page = await response.text();
    expect(page).toContain('>invalid_credential</code>');
    expect(page).not.toContain('Amara');
  });

  it('follows a key rotation at the issuer: keys it has cached are asked for again, once', async () => {
    expect((await approved(new CookieJar())).status).toBe(303);
    const fetches = () => stub.requests.filter((r) => r.path === '/.well-known/jwt-vc-issuer').length;
    const before = fetches();
    const previous = keys.issuer;
    keys.issuer = await LocalSigningKey.generate('ES256');
    try {
      expect((await approved(new CookieJar())).status).toBe(303);
      expect(fetches()).toBe(before + 1);
    } finally {
      keys.issuer = previous;
    }
  });
});

describe.each(DIALECTS)('several portal instances on one $dialect database', ({ dialect, create }) => {
  it('finish on one instance the flow another started, and show the result on either', async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    const database = await create();
    const shared = { database: database.url, sessionSecret: 'a-session-secret-shared-by-instances-0123' };
    const one = await startPortal(stub.url, shared);
    const two = await startPortal(stub.url, shared);
    try {
      const jar = new CookieJar();
      const response = await jar.fetch(`${one.url}/start/national_id_sd_jwt`);
      pending = new URL(response.headers.get('location') ?? '').searchParams;
      // Both instances share the redirect URI of instance one here; what matters is the state lookup.
      const done = await jar.fetch(
        `${two.url}/callback?${new URLSearchParams({ code: 'c', state: pending.get('state') ?? '', iss: stub.url })}`,
      );
      expect(done.status).toBe(303);
      const location = done.headers.get('location') ?? '';
      for (const instance of [one, two]) {
        const page = await jar.fetch(`${instance.url}${location}`);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('data-claim="given_name"');
      }
      // Both publish the same client key.
      const jwks = await Promise.all(
        [one, two].map(async (p) => (await fetch(`${p.url}/.well-known/jwks.json`)).json()),
      );
      expect(jwks[0]).toEqual(jwks[1]);
    } finally {
      await one.stop();
      await two.stop();
      await database.drop();
    }
  });
});
