import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Jwk } from '@openid4vc/oauth2';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  decodeJwt,
  exportJWK,
  generateKeyPair,
  type JWK,
} from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { offerCommand } from '../../src/cli/offers.js';
import { verifySdJwtVc } from '../../src/credentials/formats/sd-jwt-vc/index.js';
import type { OfferView } from '../../src/issuer/offers/create.js';
import type { Config } from '../../src/platform/config/index.js';
import { AMARA, Browser, type ClientKey } from '../authz/helpers.js';
import { owfWallet } from '../helpers/owf-wallet.js';
import { walletPrivateKeyJwt } from '../helpers/wallet-client-auth.js';
import { startWalletSystem, type WalletSystem } from '../helpers/wallet-system.js';

/**
 * The authorization code flow of an issuer-initiated offer, driven by @openid4vc/openid4vci against
 * our authz and issuer: the offer (with issuer_state) made by `attesta offer`, a pushed authorization
 * request with PKCE and a DPoP key, sign-in, a DPoP-bound token from authz, and the credential
 * request with DPoP at the issuer.
 */
let config: Config;
let setup: WalletSystem;
let clientKey: ClientKey;
let dataDir: string;
const keys = new Map<string, CryptoKey>();

beforeAll(async () => {
  setup = await startWalletSystem();
  ({ config, clientKey, dataDir } = setup);
});

afterAll(async () => {
  await setup?.stop();
});

async function keyPair(): Promise<{ publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  keys.set(publicJwk.x as string, privateKey);
  return { publicJwk };
}

it('offer with issuer_state → PAR + PKCE + DPoP at authz → DPoP-bound token → credential', async () => {
  const configFile = join(dataDir, 'attesta.json');
  writeFileSync(configFile, JSON.stringify(config));
  const lines: string[] = [];
  expect(
    await offerCommand(
      [
        'create',
        '--configuration',
        'national_id_sd_jwt',
        '--subject',
        AMARA.individual_id,
        '--authorization-code',
        '--no-pre-authorized',
        '--config',
        configFile,
      ],
      (line) => lines.push(line),
    ),
  ).toBe(0);
  const view = JSON.parse(lines[0] as string) as OfferView;

  const clientId = config.portal.clientId;
  const redirectUri = config.authz.clients[0]?.redirect_uris[0] ?? '';
  const wallet = owfWallet({
    clientAuthentication: walletPrivateKeyJwt(clientId, clientKey),
    keyFor: (signer) => keys.get(signer.publicJwk.x as string),
  });
  const credentialOffer = await wallet.resolveCredentialOffer(view.offer_uri_by_reference);
  expect(credentialOffer.grants?.authorization_code?.issuer_state).toBeTruthy();
  const issuerMetadata = await wallet.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const dpopKey = await keyPair();
  const dpopSigner = { method: 'jwk' as const, alg: 'ES256', publicJwk: dpopKey.publicJwk as Jwk };

  const authorization = await wallet.createAuthorizationRequestUrlFromOffer({
    clientId,
    credentialOffer,
    issuerMetadata,
    redirectUri,
    scope: 'openid national_id',
    dpop: { signer: dpopSigner },
  });
  expect(authorization.authorizationServer).toBe(config.authz.publicUrl);
  expect(authorization.pkce?.codeChallengeMethod).toBe('S256');
  // Pushed: the browser only carries a request_uri.
  const authorizationUrl = new URL(authorization.authorizationRequestUrl);
  expect(authorizationUrl.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
  expect(authorizationUrl.searchParams.get('code_challenge')).toBeNull();

  const browser = new Browser();
  const origin = config.authz.publicUrl;
  const start = await browser.follow(authorization.authorizationRequestUrl, origin);
  expect(start.url.pathname).toMatch(/^\/interaction\//);
  let done = await browser.submit(new URL(`${start.url.pathname}/login`, origin), origin, AMARA);
  if (done.response.status === 200 && (await done.response.clone().text()).includes('name="decision"')) {
    done = await browser.submit(new URL(`${done.url.pathname}/consent`, origin), origin, {
      decision: 'allow',
    });
  }
  expect(done.url.href.startsWith(redirectUri)).toBe(true);
  const authorizationResponse = wallet.parseAndVerifyAuthorizationResponseRedirectUrl({
    url: done.url.href,
    authorizationServerMetadata: issuerMetadata.authorizationServers[0] as never,
  });
  if (!('code' in authorizationResponse) || !authorizationResponse.code) throw new Error('no code');

  const { accessTokenResponse, dpop } = await wallet.retrieveAuthorizationCodeAccessTokenFromOffer({
    issuerMetadata,
    credentialOffer,
    authorizationCode: authorizationResponse.code,
    pkceCodeVerifier: authorization.pkce?.codeVerifier,
    redirectUri,
    dpop: { signer: dpopSigner },
  });
  expect(accessTokenResponse.token_type).toBe('DPoP');
  const claims = decodeJwt(accessTokenResponse.access_token);
  expect((claims.cnf as { jkt: string }).jkt).toBe(await calculateJwkThumbprint(dpopKey.publicJwk));

  // Presented as Bearer, the bound token is refused by the issuer.
  const bearer = await fetch(`${config.issuer.publicUrl}/credential`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${accessTokenResponse.access_token}`,
    },
    body: '{}',
  });
  expect(bearer.status).toBe(401);

  const holder = await keyPair();
  const { c_nonce } = await wallet.requestNonce({ issuerMetadata });
  const { jwt } = await wallet.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId: 'national_id_sd_jwt',
    nonce: c_nonce,
    signer: { method: 'jwk', alg: 'ES256', publicJwk: holder.publicJwk as Jwk },
  });
  const { credentialResponse } = await wallet.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: 'national_id_sd_jwt',
    proofs: { jwt: [jwt] },
    dpop: dpop ?? { signer: dpopSigner },
  });
  const first = credentialResponse.credentials?.[0] as { credential: string };
  const jwks = (await (await fetch(`${config.issuer.publicUrl}/.well-known/jwt-vc-issuer`)).json()) as {
    jwks: { keys: JWK[] };
  };
  const verified = await verifySdJwtVc(first.credential, { issuerJwks: jwks.jwks });
  expect(verified.claims.given_name).toBe('Amara');
  expect((verified.payload.cnf as { jwk: JWK }).jwk).toEqual(holder.publicJwk);
});
