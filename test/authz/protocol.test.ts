import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, createRemoteJWKSet, decodeJwt, exportJWK, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { AMARA, authorize, Browser } from './helpers.js';
import {
  FAPI_LOGOUT,
  FAPI_REDIRECT,
  protocolAuthzForFile,
  RP_REDIRECT,
  signInWithRequestUri,
} from './protocol-setup.js';

const setup = protocolAuthzForFile();

const issuer = () => setup.authz.config.authz.publicUrl;
const resource = () => setup.authz.config.authz.resources[0]?.identifier ?? '';
const jwks = () => createRemoteJWKSet(new URL(`${issuer()}/jwks`));

/** OIDC Core §3.3.2.11: at_hash is the left half of SHA-256 of the access token, base64url. */
const leftHalfHash = (value: string) =>
  createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');

/** PAR (with DPoP) → browser sign-in → callback, as the FAPI-style client. */
async function fapiSignIn(dpop: client.DPoPHandle, params: Record<string, string> = {}) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const parUrl = await client.buildAuthorizationUrlWithPAR(
    setup.fapi,
    {
      redirect_uri: FAPI_REDIRECT,
      scope: 'openid profile national_id',
      resource: resource(),
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      max_age: '300',
      ...params,
    },
    { DPoP: dpop },
  );
  const run = await signInWithRequestUri(setup.authz.config, setup.fapi, parUrl);
  return { run, codeVerifier, state, nonce };
}

describe('PAR + DPoP + private_key_jwt with openid-client as the relying party', () => {
  it('issues DPoP-bound tokens (cnf.jkt) and an ID token with nonce, amr, auth_time and at_hash', async () => {
    const keyPair = await client.randomDPoPKeyPair('ES256');
    const dpop = client.getDPoPHandle(setup.fapi, keyPair);
    const { run, codeVerifier, state, nonce } = await fapiSignIn(dpop);
    expect(run.url.href.startsWith(FAPI_REDIRECT)).toBe(true);
    // RFC 9207: the authorization response names its issuer.
    expect(run.url.searchParams.get('iss')).toBe(issuer());
    const tokens = await client.authorizationCodeGrant(
      setup.fapi,
      run.url,
      { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, maxAge: 300 },
      { resource: resource() },
      { DPoP: dpop },
    );
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    const thumbprint = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
    const { payload: access, protectedHeader } = await jwtVerify(tokens.access_token, jwks(), {
      issuer: issuer(),
      audience: resource(),
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(access.cnf).toEqual({ jkt: thumbprint });
    expect(access.client_id).toBe('fapi');

    const idToken = tokens.id_token ?? '';
    const { payload: id } = await jwtVerify(idToken, jwks(), { issuer: issuer(), audience: 'fapi' });
    expect(id.nonce).toBe(nonce);
    expect(id.amr).toEqual(expect.arrayContaining([expect.any(String)]));
    expect(id.acr).toEqual(expect.stringMatching(/^urn:attesta:acr:/));
    expect(id.auth_time).toEqual(expect.any(Number));
    expect(id.at_hash).toBe(leftHalfHash(tokens.access_token));

    // Refresh tokens are issued to this client (refresh_token grant registered), DPoP-bound too.
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const refreshed = await client.refreshTokenGrant(
      setup.fapi,
      tokens.refresh_token ?? '',
      { resource: resource() },
      { DPoP: dpop },
    );
    expect(decodeJwt(refreshed.access_token).cnf).toEqual({ jkt: thumbprint });
    // Revoking the refresh token (RFC 7009) ends the grant: it cannot be used again.
    await client.tokenRevocation(setup.fapi, refreshed.refresh_token ?? '');
    const revoked = await client
      .refreshTokenGrant(setup.fapi, refreshed.refresh_token ?? '', { resource: resource() }, { DPoP: dpop })
      .catch((e: unknown) => e as client.ResponseBodyError);
    expect((revoked as client.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('requires PAR of this client: a plain authorization request is refused', async () => {
    const run = await authorize(setup.authz.config, setup.fapi, AMARA, { redirect_uri: FAPI_REDIRECT });
    expect(run.url.href.startsWith(FAPI_REDIRECT)).toBe(true);
    expect(run.url.searchParams.get('error')).toBe('invalid_request');
    expect(run.url.searchParams.get('error_description')).toMatch(/Pushed Authorization Request/i);
    expect(run.url.searchParams.get('code')).toBeNull();
  });

  it('requires DPoP of this client at the token endpoint', async () => {
    const dpop = client.getDPoPHandle(setup.fapi, await client.randomDPoPKeyPair('ES256'));
    const { run, codeVerifier, state } = await fapiSignIn(dpop);
    const error = await client
      .authorizationCodeGrant(
        setup.fapi,
        run.url,
        { pkceCodeVerifier: codeVerifier, expectedState: state },
        { resource: resource() },
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(client.ResponseBodyError);
    expect((error as client.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('answers userinfo as JSON to a DPoP-bound token, and refuses it as a Bearer token', async () => {
    const dpop = client.getDPoPHandle(setup.fapi, await client.randomDPoPKeyPair('ES256'));
    // Without a resource the access token is for userinfo.
    const { run, codeVerifier, state, nonce } = await fapiSignIn(dpop, {
      scope: 'openid profile',
      resource: '',
    });
    const tokens = await client.authorizationCodeGrant(
      setup.fapi,
      run.url,
      { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce },
      undefined,
      { DPoP: dpop },
    );
    const info = await client.fetchUserInfo(setup.fapi, tokens.access_token, AMARA.individual_id, {
      DPoP: dpop,
    });
    expect(info).toMatchObject({
      sub: AMARA.individual_id,
      name: AMARA.full_name,
      birthdate: AMARA.date_of_birth,
    });
    const bearer = await fetch(`${issuer()}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(bearer.status).toBe(401);
    expect(bearer.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });
});

describe('the code flow of a plain client', () => {
  const signIn = (params: Record<string, string> = {}, browser?: Browser) =>
    authorize(
      setup.authz.config,
      setup.rp,
      AMARA,
      { redirect_uri: RP_REDIRECT, resource: '', scope: 'openid', ...params },
      browser,
    );

  const redeem = (run: { url: URL; codeVerifier: string; state: string }) =>
    client.authorizationCodeGrant(setup.rp, run.url, {
      pkceCodeVerifier: run.codeVerifier,
      expectedState: run.state,
    });

  it('honours the claims parameter (OIDC Core §5.5) for the ID token and userinfo', async () => {
    const claims = JSON.stringify({
      id_token: { email: { essential: true } },
      userinfo: { family_name: null },
    });
    const run = await signIn({ claims });
    const tokens = await redeem(run);
    const id = decodeJwt(tokens.id_token ?? '');
    expect(id.email).toBe('amara.okafor@example.org');
    expect(id.family_name).toBeUndefined();
    const info = await client.fetchUserInfo(setup.rp, tokens.access_token, AMARA.individual_id);
    expect(info.family_name).toBe('Okafor');
    expect(info.email).toBeUndefined();
  });

  it('answers userinfo as a signed JWT to a client registered for it', async () => {
    const tokens = await redeem(await signIn({ scope: 'openid profile' }));
    const response = await fetch(`${issuer()}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/jwt/);
    const { payload, protectedHeader } = await jwtVerify(await response.text(), jwks(), {
      issuer: issuer(),
      audience: 'rp',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: AMARA.individual_id, name: AMARA.full_name });
    // openid-client verifies it the same way.
    const info = await client.fetchUserInfo(setup.rp, tokens.access_token, AMARA.individual_id);
    expect(info.name).toBe(AMARA.full_name);
  });

  it('issues no refresh token to a client without the refresh_token grant, even for offline_access', async () => {
    const tokens = await redeem(await signIn({ scope: 'openid', prompt: 'consent' }));
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('introspects and revokes its access token (RFC 7662, RFC 7009)', async () => {
    const tokens = await redeem(await signIn());
    const before = await client.tokenIntrospection(setup.rp, tokens.access_token);
    expect(before).toMatchObject({ active: true, client_id: 'rp', sub: AMARA.individual_id });
    await client.tokenRevocation(setup.rp, tokens.access_token);
    expect(await client.tokenIntrospection(setup.rp, tokens.access_token)).toEqual({ active: false });
    const me = await fetch(`${issuer()}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(401);
  });

  it('signs out on an RP-initiated logout after a confirmation page, back to the registered URI', async () => {
    const browser = new Browser();
    const dpop = client.getDPoPHandle(setup.fapi, await client.randomDPoPKeyPair('ES256'));
    const codeVerifier = client.randomPKCECodeVerifier();
    const parUrl = await client.buildAuthorizationUrlWithPAR(
      setup.fapi,
      {
        redirect_uri: FAPI_REDIRECT,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      },
      { DPoP: dpop },
    );
    const run = await signInWithRequestUri(setup.authz.config, setup.fapi, parUrl, AMARA, browser);
    const tokens = await client.authorizationCodeGrant(
      setup.fapi,
      run.url,
      { pkceCodeVerifier: codeVerifier },
      undefined,
      { DPoP: dpop },
    );
    const endSession = client.buildEndSessionUrl(setup.fapi, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: FAPI_LOGOUT,
      state: 'bye-1',
    });
    const page = await browser.follow(endSession, issuer());
    expect(page.response.status).toBe(200);
    const html = await page.response.text();
    expect(html).toContain('Sign out');
    expect(html).not.toMatch(/<script/i);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(xsrf).not.toBe('');
    const done = await browser.submit(new URL('/session/end/confirm', issuer()), issuer(), {
      xsrf,
      logout: 'yes',
    });
    expect(done.url.origin + done.url.pathname).toBe(FAPI_LOGOUT);
    expect(done.url.searchParams.get('state')).toBe('bye-1');
    // An unregistered post_logout_redirect_uri is refused on an error page.
    const evil = client.buildEndSessionUrl(setup.fapi, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: 'http://localhost:9/evil',
    });
    const refused = await browser.follow(evil, issuer());
    expect(refused.response.status).toBe(400);
    expect(refused.url.origin).toBe(issuer());
  });
});

describe('discovery of the protocol features', () => {
  it('advertises PAR, DPoP, the claims parameter, introspection, revocation and logout', async () => {
    const metadata = await (await fetch(`${issuer()}/.well-known/openid-configuration`)).json();
    expect(metadata).toMatchObject({
      pushed_authorization_request_endpoint: `${issuer()}/request`,
      dpop_signing_alg_values_supported: expect.arrayContaining(['ES256']),
      claims_parameter_supported: true,
      introspection_endpoint: `${issuer()}/token/introspection`,
      revocation_endpoint: `${issuer()}/token/revocation`,
      end_session_endpoint: `${issuer()}/session/end`,
      userinfo_signing_alg_values_supported: ['ES256'],
      authorization_response_iss_parameter_supported: true,
    });
  });
});
