import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { openAuthzDatabase } from '../../src/cli/authz-database.js';
import { AMARA, authorize, Browser, type ClientKey } from './helpers.js';
import { FAPI_REDIRECT, protocolAuthzForFile, RP_REDIRECT, signInWithRequestUri } from './protocol-setup.js';

/**
 * Negative checks after the OpenID conformance suite's OP and FAPI2 modules. PKCE (missing,
 * `plain`, wrong or missing verifier), an unregistered redirect_uri and a client key the client did
 * not publish are in token.test.ts.
 */
/** Every token-endpoint error body seen by this file, checked at the end for RFC 6749 §5.2 form. */
const errorBodies: { contentType: string | null; text: string }[] = [];

const setup = protocolAuthzForFile();

const issuer = () => setup.authz.config.authz.publicUrl;
const tokenEndpoint = () => `${issuer()}/token`;
const now = () => Math.floor(Date.now() / 1000);

/** A private_key_jwt client assertion (RFC 7523 §3), valid unless `changes` say otherwise. */
async function assertion(
  id: string,
  key: ClientKey,
  changes: { payload?: JWTPayload; alg?: string; signingKey?: CryptoKey } = {},
) {
  const payload = {
    iss: id,
    sub: id,
    aud: issuer(),
    jti: randomUUID(),
    iat: now(),
    exp: now() + 60,
    ...changes.payload,
  };
  if (changes.alg === 'none') {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none' })}.${part(payload)}.`;
  }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid })
    .sign(changes.signingKey ?? (key.privateKey.key as CryptoKey));
}

async function tokenRequest(fields: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(tokenEndpoint(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await response.text();
  if (response.status >= 400) errorBodies.push({ contentType: response.headers.get('content-type'), text });
  return {
    status: response.status,
    headers: response.headers,
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

/** client_credentials for the admin client with a given client assertion. */
const adminTokenRequest = async (clientAssertion: string, headers: Record<string, string> = {}) =>
  tokenRequest(
    {
      grant_type: 'client_credentials',
      scope: 'authz:admin',
      client_id: 'admin',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion,
    },
    headers,
  );

describe('client authentication (private_key_jwt, RFC 7523)', () => {
  it('accepts a well-formed assertion (the control case)', async () => {
    const response = await adminTokenRequest(await assertion('admin', setup.clients.admin.key));
    expect(response.status).toBe(200);
  });

  const refused = async (clientAssertion: string) => {
    const response = await adminTokenRequest(clientAssertion);
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
  };

  it('refuses an assertion for another audience', async () => {
    await refused(
      await assertion('admin', setup.clients.admin.key, { payload: { aud: 'https://elsewhere.example' } }),
    );
  });

  it('refuses an expired assertion', async () => {
    await refused(
      await assertion('admin', setup.clients.admin.key, { payload: { iat: now() - 600, exp: now() - 300 } }),
    );
  });

  it('refuses a replayed assertion (same jti)', async () => {
    const once = await assertion('admin', setup.clients.admin.key);
    expect((await adminTokenRequest(once)).status).toBe(200);
    await refused(once);
  });

  it('refuses an assertion signed by a key the client did not register', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    await refused(await assertion('admin', setup.clients.admin.key, { signingKey: privateKey }));
  });

  it('refuses an unsigned assertion (alg: none)', async () => {
    await refused(await assertion('admin', setup.clients.admin.key, { alg: 'none' }));
  });
});

/** A DPoP proof (RFC 9449 §4.2) for the token endpoint, valid unless `changes` say otherwise. */
async function dpopProof(
  keys: { privateKey: CryptoKey; publicJwk: JWK },
  changes: { header?: Record<string, unknown>; payload?: JWTPayload } = {},
) {
  return new SignJWT({ htm: 'POST', htu: tokenEndpoint(), jti: randomUUID(), iat: now(), ...changes.payload })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: keys.publicJwk, ...changes.header })
    .sign(keys.privateKey);
}

async function dpopKeys() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, publicJwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey) };
}

describe('DPoP proofs (RFC 9449 §4.3)', () => {
  const withProof = async (proof: string) =>
    adminTokenRequest(await assertion('admin', setup.clients.admin.key), { dpop: proof });

  it('binds the token to a valid proof (the control case)', async () => {
    const response = await withProof(await dpopProof(await dpopKeys()));
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('DPoP');
  });

  const refused = async (proof: string) => {
    const response = await withProof(proof);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_dpop_proof');
  };

  it('refuses a malformed proof', async () => {
    await refused('not-a-jwt');
  });

  it('refuses a proof with the wrong typ', async () => {
    await refused(await dpopProof(await dpopKeys(), { header: { typ: 'JWT' } }));
  });

  it('refuses a proof for another method or URI', async () => {
    await refused(await dpopProof(await dpopKeys(), { payload: { htm: 'GET' } }));
    await refused(await dpopProof(await dpopKeys(), { payload: { htu: `${issuer()}/elsewhere` } }));
  });

  it('refuses a stale proof (iat far in the past): freshness must then come from a server nonce', async () => {
    // RFC 9449 §11.1: with server nonces available, authz answers use_dpop_nonce (and a nonce).
    const response = await withProof(await dpopProof(await dpopKeys(), { payload: { iat: now() - 3600 } }));
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('use_dpop_nonce');
    expect(response.headers.get('dpop-nonce')).toBeTruthy();
  });

  it('refuses a replayed proof (same jti)', async () => {
    const proof = await dpopProof(await dpopKeys());
    expect((await withProof(proof)).status).toBe(200);
    await refused(proof);
  });

  it('refuses a proof that carries a private key in its header', async () => {
    const keys = await dpopKeys();
    await refused(await dpopProof(keys, { header: { jwk: keys.privateJwk } }));
  });

  it('asks a DPoP-bound client for a server nonce (use_dpop_nonce with a DPoP-Nonce header)', async () => {
    const response = await tokenRequest(
      {
        grant_type: 'refresh_token',
        refresh_token: 'unknown',
        client_id: 'fapi',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion('fapi', setup.clients.fapi.key),
      },
      { dpop: await dpopProof(await dpopKeys()) },
    );
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('use_dpop_nonce');
    expect(response.headers.get('dpop-nonce')).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuses a proof whose ath does not match the access token at userinfo', async () => {
    const keyPair = await client.randomDPoPKeyPair('ES256', { extractable: true });
    const dpop = client.getDPoPHandle(setup.fapi, keyPair);
    const codeVerifier = client.randomPKCECodeVerifier();
    const parUrl = await client.buildAuthorizationUrlWithPAR(
      setup.fapi,
      {
        redirect_uri: FAPI_REDIRECT,
        scope: 'openid profile',
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      },
      { DPoP: dpop },
    );
    const run = await signInWithRequestUri(setup.authz.config, setup.fapi, parUrl);
    const tokens = await client.authorizationCodeGrant(
      setup.fapi,
      run.url,
      { pkceCodeVerifier: codeVerifier },
      undefined,
      {
        DPoP: dpop,
      },
    );
    const keys = { privateKey: keyPair.privateKey, publicJwk: await exportJWK(keyPair.publicKey) };
    const userinfo = `${issuer()}/me`;
    const ath = (token: string) => createHash('sha256').update(token).digest('base64url');
    const call = async (athOf: string, nonce?: string) =>
      fetch(userinfo, {
        headers: {
          authorization: `DPoP ${tokens.access_token}`,
          dpop: await dpopProof(keys, { payload: { htm: 'GET', htu: userinfo, ath: ath(athOf), nonce } }),
        },
      });
    const first = await call(tokens.access_token);
    const nonce = first.headers.get('dpop-nonce') ?? undefined;
    const ok = first.status === 200 ? first : await call(tokens.access_token, nonce);
    expect(ok.status).toBe(200);
    const wrong = await call('another token', nonce);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_dpop_proof"/);
  });
});

describe('authorization codes', () => {
  const signIn = (params: Record<string, string> = {}) =>
    authorize(setup.authz.config, setup.rp, AMARA, {
      redirect_uri: RP_REDIRECT,
      resource: '',
      scope: 'openid',
      ...params,
    });

  const redeem = (run: { url: URL; codeVerifier: string; state: string }) =>
    client.authorizationCodeGrant(setup.rp, run.url, {
      pkceCodeVerifier: run.codeVerifier,
      expectedState: run.state,
    });

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('the request succeeded');
      },
      (error: unknown) => error as client.ResponseBodyError,
    );

  it('refuses a reused code with invalid_grant and revokes the tokens issued from it', async () => {
    const run = await signIn();
    const tokens = await redeem(run);
    const me = () => fetch(`${issuer()}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await me()).status).toBe(200);
    const again = await failure(redeem(run));
    expect(again.error).toBe('invalid_grant');
    expect(again.status).toBe(400);
    expect((await me()).status).toBe(401);
    expect(await client.tokenIntrospection(setup.rp, tokens.access_token)).toEqual({ active: false });
  });

  it('refuses an expired code with invalid_grant', async () => {
    const run = await signIn();
    const code = run.url.searchParams.get('code') ?? '';
    // The clock of the code moves on: its expiry is set in the past, as after authorizationCodeTtl.
    const database = await openAuthzDatabase(setup.authz.config);
    try {
      const db = database.db as unknown as import('kysely').Kysely<{
        oidc_models: { kind: string; id: string; payload: string; expires_at: number | null };
      }>;
      const row = await db
        .selectFrom('oidc_models')
        .select('payload')
        .where('kind', '=', 'AuthorizationCode')
        .where('id', '=', code)
        .executeTakeFirstOrThrow();
      const payload = { ...JSON.parse(row.payload), exp: now() - 5 };
      await db
        .updateTable('oidc_models')
        .set({ payload: JSON.stringify(payload), expires_at: Date.now() - 5000 })
        .where('kind', '=', 'AuthorizationCode')
        .where('id', '=', code)
        .execute();
    } finally {
      await database.close();
    }
    const error = await failure(redeem(run));
    expect(error.error).toBe('invalid_grant');
  });

  it('answers prompt=none without a session with login_required at the client', async () => {
    const run = await authorize(setup.authz.config, setup.rp, AMARA, {
      redirect_uri: RP_REDIRECT,
      resource: '',
      scope: 'openid',
      prompt: 'none',
    });
    expect(run.url.href.startsWith(RP_REDIRECT)).toBe(true);
    expect(run.url.searchParams.get('error')).toBe('login_required');
    expect(run.url.searchParams.get('iss')).toBe(issuer());
    expect(run.url.searchParams.get('code')).toBeNull();
  });

  it('asks for a sign-in again with max_age=0 even within a session', async () => {
    const browser = new Browser();
    const first = await authorize(
      setup.authz.config,
      setup.rp,
      AMARA,
      { redirect_uri: RP_REDIRECT, resource: '', scope: 'openid' },
      browser,
    );
    expect(first.url.searchParams.get('code')).toBeTruthy();
    const start = await browser.follow(
      client.buildAuthorizationUrl(setup.rp, {
        redirect_uri: RP_REDIRECT,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        max_age: '0',
      }),
      issuer(),
    );
    expect(start.url.pathname).toMatch(/^\/interaction\//);
  });

  it('ignores unknown authorization parameters', async () => {
    const run = await signIn({ unknown_parameter: 'x', 'x-custom': 'y' });
    expect(run.url.searchParams.get('code')).toBeTruthy();
    const tokens = await redeem(run);
    expect(tokens.access_token).toBeTruthy();
  });
});

describe('token error responses (RFC 6749 §5.2)', () => {
  it('are JSON without CR/LF in error_description, even for hostile input', async () => {
    await tokenRequest({ grant_type: 'evil\r\ngrant' });
    await tokenRequest({ grant_type: 'authorization_code', code: 'x\r\ny', client_id: 'rp\r\n' });
    await tokenRequest({});
    expect(errorBodies.length).toBeGreaterThan(10);
    for (const { contentType, text } of errorBodies) {
      expect(contentType).toMatch(/^application\/json/);
      const body = JSON.parse(text);
      expect(body.error).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/);
      if (body.error_description !== undefined) {
        expect(body.error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/);
      }
    }
  });
});
