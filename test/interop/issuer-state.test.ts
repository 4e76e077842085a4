import { createHash, randomBytes } from 'node:crypto';
import type { Jwk } from '@openid4vc/oauth2';
import type { Openid4vciClient } from '@openid4vc/openid4vci';
import { digest } from '@sd-jwt/crypto-nodejs';
import { decodeSdJwt, getClaims } from '@sd-jwt/decode';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/platform/config/index.js';
import { AMARA, Browser, type ClientKey } from '../authz/helpers.js';
import { addTestClients, rpFor, serverMetadata, type TestClients } from '../authz/protocol-setup.js';
import { owfWallet, signInForCode } from '../helpers/owf-wallet.js';
import { walletPrivateKeyJwt } from '../helpers/wallet-client-auth.js';
import { startWalletSystem, type WalletSystem } from '../helpers/wallet-system.js';

/**
 * OpenID4VCI 1.0 §5.1.3 end to end: the issuer's admin API makes an offer with an authorization
 * code grant; the OWF wallet library (@openid4vc/openid4vci) turns the offer into an authorization
 * request at authz with the offer's issuer_state; authz keeps it with the grant through sign-in and
 * puts it into the issuer's access token; the issuer then issues the offer's claims instead of the
 * registry's. Negative paths: no issuer_state → registry data; unknown → the issuer's error;
 * malformed → authz's invalid_request.
 */
let config: Config;
let setup: WalletSystem;
let walletKey: ClientKey;
let adminToken: string;

const CONFIGURATION = 'national_id_sd_jwt';
const OFFERED = { given_name: 'Offered', nationalities: ['TG'] };

beforeAll(async () => {
  let clients: TestClients | undefined;
  setup = await startWalletSystem(async (c) => {
    clients = await addTestClients(c);
  });
  ({ config, clientKey: walletKey } = setup);
  if (!clients) throw new Error('test clients were not added');
  // The issuer's offers API with an authz client_credentials token: offers that fix their claims
  // need scope issuer:offers:claims.
  const admin = rpFor(await serverMetadata(config), clients.admin.id, clients.admin.key);
  ({ access_token: adminToken } = await oidc.clientCredentialsGrant(admin, {
    scope: 'issuer:offers:claims',
    resource: config.issuer.publicUrl,
  }));
});

afterAll(async () => {
  await setup?.stop();
});

async function newWallet() {
  const holder = await generateKeyPair('ES256', { extractable: true });
  const holderJwk = (await exportJWK(holder.publicKey)) as Jwk;
  const client = owfWallet({
    clientAuthentication: walletPrivateKeyJwt(config.portal.clientId, walletKey),
    keyFor: () => holder.privateKey,
  });
  return { client, holderJwk };
}

type Wallet = Awaited<ReturnType<typeof newWallet>>;
type CredentialOffer = Parameters<
  Openid4vciClient['createAuthorizationRequestUrlFromOffer']
>[0]['credentialOffer'];

/** POST /admin/offers; returns the wallet URI of the offer by value. */
async function createOffer(body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${config.issuer.publicUrl}/admin/offers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { credential_offer_uri_by_value: string }).credential_offer_uri_by_value;
}

/**
 * The wallet's authorization code flow from an offer: authorization request URL from the library,
 * sign-in at authz in a cookie-jar browser, code → access token with the library.
 */
async function authorize(wallet: Wallet, credentialOffer: CredentialOffer, browser = new Browser()) {
  const redirectUri = config.authz.clients[0]?.redirect_uris[0] ?? '';
  const issuerMetadata = await wallet.client.resolveIssuerMetadata(config.issuer.publicUrl);
  const authorization = await wallet.client.createAuthorizationRequestUrlFromOffer({
    clientId: config.portal.clientId,
    credentialOffer,
    issuerMetadata,
    redirectUri,
    scope: 'openid national_id',
  });
  expect(authorization.authorizationServer).toBe(config.authz.publicUrl);
  // authz advertises PAR, so the library pushes the request: issuer_state travels in the PAR body.
  const query = new URL(authorization.authorizationRequestUrl).searchParams;
  expect([...query.keys()].sort()).toEqual(['client_id', 'request_uri']);
  const origin = config.authz.publicUrl;
  const { code, interaction, callback } = await signInForCode(
    wallet.client,
    issuerMetadata,
    authorization.authorizationRequestUrl,
    origin,
    browser,
  );
  expect(interaction.pathname).toMatch(/^\/interaction\//);
  expect(callback.href.startsWith(redirectUri)).toBe(true);
  const { accessTokenResponse } = await wallet.client.retrieveAuthorizationCodeAccessTokenFromOffer({
    issuerMetadata,
    credentialOffer,
    authorizationCode: code,
    pkceCodeVerifier: authorization.pkce?.codeVerifier,
    redirectUri,
  });
  const authzJwks = (await (await fetch(`${origin}/jwks`)).json()) as { keys: JWK[] };
  const { payload } = await jwtVerify(accessTokenResponse.access_token, createLocalJWKSet(authzJwks), {
    issuer: origin,
    audience: config.issuer.publicUrl,
  });
  return { issuerMetadata, accessToken: accessTokenResponse.access_token, token: payload };
}

/** Proof of possession and the credential request, raw so that error bodies can be asserted. */
async function requestCredential(wallet: Wallet, accessToken: string) {
  const issuerMetadata = await wallet.client.resolveIssuerMetadata(config.issuer.publicUrl);
  const { c_nonce } = await wallet.client.requestNonce({ issuerMetadata });
  const { jwt } = await wallet.client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId: CONFIGURATION,
    nonce: c_nonce,
    signer: { method: 'jwk', alg: 'ES256', publicJwk: wallet.holderJwk },
  });
  const response = await fetch(`${config.issuer.publicUrl}/credential`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ credential_configuration_id: CONFIGURATION, proofs: { jwt: [jwt] } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function disclosedClaims(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const credential = (body.credentials as { credential: string }[])[0]?.credential ?? '';
  const decoded = await decodeSdJwt(credential, digest);
  return getClaims(decoded.jwt.payload, decoded.disclosures, digest);
}

describe('issuer_state from a credential offer, through authz, to the issuer', () => {
  it('the wallet library sends the offer’s issuer_state; the token carries it; the credential has the offer’s claims', async () => {
    const wallet = await newWallet();
    const uri = await createOffer({
      credential_configuration_ids: [CONFIGURATION],
      subject: AMARA.individual_id,
      claims: OFFERED,
      grants: { authorization_code: {} },
    });
    const credentialOffer = await wallet.client.resolveCredentialOffer(uri);
    const issuerState = credentialOffer.grants?.authorization_code?.issuer_state;
    expect(issuerState).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(credentialOffer.grants?.authorization_code?.authorization_server).toBe(config.authz.publicUrl);

    const { token, accessToken } = await authorize(wallet, credentialOffer);
    expect(token.issuer_state).toBe(issuerState);
    expect(token.sub).toBe(AMARA.individual_id);

    const issued = await requestCredential(wallet, accessToken);
    expect(issued.status).toBe(200);
    const claims = await disclosedClaims(issued.body);
    // The offer's claims, not the registry's (which would say Amara Okafor).
    expect(claims.given_name).toBe('Offered');
    expect(claims.nationalities).toEqual(['TG']);
    expect(claims.family_name).toBeUndefined();
  });

  it('a later authorization without issuer_state (same browser, same grant) gets a token without it and the registry’s data', async () => {
    const wallet = await newWallet();
    const browser = new Browser();
    const uri = await createOffer({
      credential_configuration_ids: [CONFIGURATION],
      claims: OFFERED,
      grants: { authorization_code: {} },
    });
    const offer = await wallet.client.resolveCredentialOffer(uri);
    const first = await authorize(wallet, offer, browser);
    expect(typeof first.token.issuer_state).toBe('string');

    const { issuer_state: _dropped, ...withoutState } = offer.grants?.authorization_code ?? {};
    const second = await authorize(
      wallet,
      { ...offer, grants: { authorization_code: withoutState } },
      browser,
    );
    expect(second.token).not.toHaveProperty('issuer_state');
    const issued = await requestCredential(wallet, second.accessToken);
    expect(issued.status).toBe(200);
    const claims = await disclosedClaims(issued.body);
    expect(claims.given_name).toBe('Amara');
    expect(claims.family_name).toBe('Okafor');
  });

  it('an issuer_state the issuer does not know gets invalid_credential_request', async () => {
    const wallet = await newWallet();
    const unknown = randomBytes(24).toString('base64url');
    const offer = {
      credential_issuer: config.issuer.publicUrl,
      credential_configuration_ids: [CONFIGURATION],
      grants: { authorization_code: { issuer_state: unknown, authorization_server: config.authz.publicUrl } },
    };
    const { token, accessToken } = await authorize(wallet, offer);
    expect(token.issuer_state).toBe(unknown);
    const refused = await requestCredential(wallet, accessToken);
    expect(refused).toEqual({
      status: 400,
      body: { error: 'invalid_credential_request', error_description: 'the credential offer has expired' },
    });
  });

  it('a malformed issuer_state is refused by authz with invalid_request, sent back to the client', async () => {
    const redirectUri = config.authz.clients[0]?.redirect_uris[0] ?? '';
    for (const bad of ['has space', 'x'.repeat(129), 'é']) {
      const url = new URL(`${config.authz.publicUrl}/auth`);
      url.search = new URLSearchParams({
        client_id: config.portal.clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: 'openid national_id',
        resource: config.issuer.publicUrl,
        code_challenge: createHash('sha256').update('verifier').digest('base64url'),
        code_challenge_method: 'S256',
        state: 'st',
        issuer_state: bad,
      }).toString();
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('error_description')).toBe('issuer_state is malformed');
    }
  });

  it('a malformed issuer_state in a pushed authorization request is refused with invalid_request', async () => {
    const body: Record<string, string> = {
      response_type: 'code',
      redirect_uri: config.authz.clients[0]?.redirect_uris[0] ?? '',
      scope: 'openid national_id',
      code_challenge: createHash('sha256').update('verifier').digest('base64url'),
      code_challenge_method: 'S256',
      issuer_state: 'not<valid>',
    };
    await walletPrivateKeyJwt(
      config.portal.clientId,
      walletKey,
    )({
      authorizationServerMetadata: { issuer: config.authz.publicUrl },
      body,
    } as never);
    const response = await fetch(`${config.authz.publicUrl}/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_request',
      error_description: 'issuer_state is malformed',
    });
  });
});
