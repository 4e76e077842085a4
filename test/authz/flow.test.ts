import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { AMARA, authorize, authzForFile, Browser } from './helpers.js';

const authz = authzForFile(async (test) => {
  const portal = test.config.authz.clients[0];
  if (portal) portal.scope = `${portal.scope} profile`;
});

const issuerUrl = () => authz.config.authz.publicUrl;
const resource = () => authz.config.authz.resources[0]?.identifier ?? '';
const redirectUri = () => authz.config.authz.clients[0]?.redirect_uris[0] ?? '';

/** Runs a sign-in that must end at the callback with a code; returns what the token request needs. */
async function signIn(params: Record<string, string> = {}, answers = AMARA) {
  const run = await authorize(authz.config, authz.rp, answers, params);
  expect(run.url.href.startsWith(redirectUri())).toBe(true);
  expect(run.url.searchParams.get('error')).toBeNull();
  expect(run.url.searchParams.get('code')).toBeTruthy();
  return run;
}

function redeem(
  run: { url: URL; codeVerifier: string; state: string },
  tokenParams: Record<string, string> = {},
) {
  return client.authorizationCodeGrant(
    authz.rp,
    run.url,
    { pkceCodeVerifier: run.codeVerifier, expectedState: run.state },
    { resource: resource(), ...tokenParams },
  );
}

describe('discovery and keys', () => {
  it('publishes OpenID discovery for code flow with PKCE S256 and private_key_jwt', async () => {
    const response = await fetch(`${issuerUrl()}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = await response.json();
    expect(metadata).toMatchObject({
      issuer: issuerUrl(),
      authorization_endpoint: `${issuerUrl()}/auth`,
      token_endpoint: `${issuerUrl()}/token`,
      jwks_uri: `${issuerUrl()}/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      id_token_signing_alg_values_supported: ['ES256'],
      authorization_response_iss_parameter_supported: true,
    });
    // RFC 8414 clients look for the OAuth metadata name; it is the same document.
    const oauth = await fetch(`${issuerUrl()}/.well-known/oauth-authorization-server`);
    expect(await oauth.json()).toEqual(metadata);
  });

  it('advertises the ui_locales its pages honour and the language of its claim values', async () => {
    const metadata = await (await fetch(`${issuerUrl()}/.well-known/openid-configuration`)).json();
    // OpenID Connect Discovery 1.0 §3 `ui_locales_supported`; the sign-in pages speak these three.
    expect(metadata.ui_locales_supported).toEqual(['en', 'fr', 'ar']);
    // `claims_locales_supported`: the registry's values, as configured (default English).
    expect(metadata.claims_locales_supported).toEqual(['en']);
    // Each advertised locale, asked for as `ui_locales` (OIDC Core §3.1.2.1), is the page's language;
    // one that is not advertised is not honoured (the page falls back to English).
    for (const locale of [...metadata.ui_locales_supported, 'de']) {
      const run = await authorize(authz.config, authz.rp, {}, { ui_locales: locale });
      expect(run.url.pathname).toMatch(/^\/interaction\//);
      const html = await run.response.text();
      expect(html).toContain(`<html lang="${locale === 'de' ? 'en' : locale}"`);
    }
  });

  it('publishes one public ES256 P-256 key', async () => {
    const jwks = await (await fetch(`${issuerUrl()}/jwks`)).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0].kid).toEqual(expect.any(String));
    expect(jwks.keys[0].d).toBeUndefined();
  });
});

describe('authorization code flow', () => {
  it('signs the person in and issues a JWT access token for the issuer (RFC 9068)', async () => {
    const run = await signIn({ scope: 'openid profile national_id' });
    // RFC 9207: the authorization response names the issuer.
    expect(run.url.searchParams.get('iss')).toBe(issuerUrl());
    const tokens = await redeem(run);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBe(authz.config.authz.accessTokenTtl);

    const header = decodeProtectedHeader(tokens.access_token);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    const jwks = createRemoteJWKSet(new URL(`${issuerUrl()}/jwks`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      typ: 'at+jwt',
      issuer: issuerUrl(),
      audience: resource(),
      algorithms: ['ES256'],
    });
    expect(payload.sub).toBe(AMARA.individual_id);
    expect(payload.client_id).toBe('portal');
    expect(String(payload.scope).split(' ')).toContain('national_id');
    expect(String(payload.scope).split(' ')).not.toContain('profile');
    expect(payload.jti).toEqual(expect.any(String));
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(authz.config.authz.accessTokenTtl);

    // The ID token (verified by openid-client) carries the person's profile claims.
    const claims = tokens.claims();
    expect(claims).toMatchObject({
      iss: issuerUrl(),
      sub: AMARA.individual_id,
      aud: 'portal',
      name: 'Amara Okafor',
      given_name: 'Amara',
      family_name: 'Okafor',
      birthdate: '1970-03-13',
    });
    expect(decodeProtectedHeader(tokens.id_token ?? '').alg).toBe('ES256');
  });

  it('defaults the resource to the issuer when the client asks for its scopes without `resource`', async () => {
    const run = await signIn({ resource: '' });
    const tokens = await client.authorizationCodeGrant(authz.rp, run.url, {
      pkceCodeVerifier: run.codeVerifier,
      expectedState: run.state,
    });
    const payload = decodeJwt(tokens.access_token);
    expect(payload.aud).toBe(resource());
    expect(String(payload.scope).split(' ')).toContain('national_id');
  });

  it('accepts a pushed authorization request (RFC 9126) authenticated with private_key_jwt', async () => {
    const codeVerifier = client.randomPKCECodeVerifier();
    const url = await client.buildAuthorizationUrlWithPAR(authz.rp, {
      redirect_uri: redirectUri(),
      scope: 'openid national_id',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: 'par-state',
      resource: resource(),
    });
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const browser = new Browser();
    const form = await browser.follow(url, issuerUrl());
    expect(form.response.status).toBe(200);
    const done = await browser.submit(new URL(`${form.url.pathname}/login`, issuerUrl()), issuerUrl(), AMARA);
    const tokens = await redeem({ url: done.url, codeVerifier, state: 'par-state' });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: resource(), sub: AMARA.individual_id });
  });

  it('accepts the full name in any case, spacing and Unicode composition', async () => {
    const run = await signIn({}, { ...AMARA, full_name: '  aMARA \t  OKAFOR ' });
    const tokens = await redeem(run);
    expect(decodeJwt(tokens.access_token).sub).toBe(AMARA.individual_id);
  });

  it('asks for a fresh sign-in on every authorization request, even with a session', async () => {
    const run = await signIn();
    expect(run.url.searchParams.get('code')).toBeTruthy();
    // Same browser (cookie jar) again: the sign-in form comes back, not a code.
    const browser = new Browser();
    await authorize(authz.config, authz.rp, AMARA, {}, browser);
    const again = await authorize(
      authz.config,
      authz.rp,
      { ...AMARA, full_name: 'Someone Else' },
      {},
      browser,
    );
    expect(again.url.pathname).toMatch(/^\/interaction\/[^/]+\/login$/);
    expect(again.url.searchParams.get('code')).toBeNull();
  });
});
