import type { Jwk } from '@openid4vc/oauth2';
import type { IssuerMetadataResult, Openid4vciClient } from '@openid4vc/openid4vci';
import { type CryptoKey, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/platform/config/index.js';
import type { ClientKey } from '../authz/helpers.js';
import { owfWallet, signInForCode } from '../helpers/owf-wallet.js';
import { walletPrivateKeyJwt } from '../helpers/wallet-client-auth.js';
import { startWalletSystem, type WalletSystem } from '../helpers/wallet-system.js';

/**
 * The whole OpenID4VCI flow in HAIP mode (`haip: true`) with an independent wallet library, the
 * OWF's @openid4vc/openid4vci: it discovers that PAR is required and pushes, proves possession of
 * an ES256 DPoP key at authz and at the issuer, and gets an SD-JWT VC bound to its ES256 key. So the
 * HAIP mode is usable by a wallet that follows the profile, not only refusing.
 */
let config: Config;
let setup: WalletSystem;
let clientKey: ClientKey;
const keys: Record<'holder' | 'dpop', { privateKey: CryptoKey; publicJwk: JWK }> = {} as never;

beforeAll(async () => {
  setup = await startWalletSystem(async (c) => {
    c.haip = true;
  });
  ({ config, clientKey } = setup);
  for (const name of ['holder', 'dpop'] as const) {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    keys[name] = { privateKey, publicJwk: await exportJWK(publicKey) };
  }
}, 120_000);
afterAll(async () => {
  await setup?.stop();
});

function walletFor(pushed: string[]): Openid4vciClient {
  return owfWallet({
    clientAuthentication: walletPrivateKeyJwt(config.portal.clientId, clientKey),
    keyFor: (_signer, header) => (header.typ === 'dpop+jwt' ? keys.dpop : keys.holder).privateKey,
    fetch: async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('/request')) pushed.push(url);
      return fetch(input, init);
    },
  });
}

describe('HAIP mode end to end with the OWF wallet library', () => {
  it('PAR, DPoP-bound token from authz, ES256 proof: an SD-JWT VC bound to the wallet key', async () => {
    const pushed: string[] = [];
    const wallet = walletFor(pushed);
    const issuerUrl = config.issuer.publicUrl;
    const issuerMetadata: IssuerMetadataResult = await wallet.resolveIssuerMetadata(issuerUrl);
    const credentialOffer = {
      credential_issuer: issuerUrl,
      credential_configuration_ids: ['national_id_sd_jwt'],
      grants: { authorization_code: { authorization_server: config.authz.publicUrl } },
    };
    const dpopSigner = { method: 'jwk' as const, alg: 'ES256', publicJwk: keys.dpop.publicJwk as Jwk };
    const redirectUri = config.authz.clients[0]?.redirect_uris[0] ?? '';
    const authorization = await wallet.createAuthorizationRequestUrlFromOffer({
      clientId: config.portal.clientId,
      credentialOffer,
      issuerMetadata,
      redirectUri,
      scope: 'openid national_id',
      dpop: { signer: dpopSigner },
    });
    // The request went by PAR: the URL the browser opens carries only client_id and request_uri.
    expect(pushed.length).toBeGreaterThan(0); // twice when the server first asks for a DPoP nonce
    expect(new URL(authorization.authorizationRequestUrl).searchParams.get('request_uri')).toMatch(
      /^urn:ietf:params:oauth:request_uri:/,
    );
    const { code } = await signInForCode(
      wallet,
      issuerMetadata,
      authorization.authorizationRequestUrl,
      config.authz.publicUrl,
    );
    const token = await wallet.retrieveAuthorizationCodeAccessTokenFromOffer({
      issuerMetadata,
      credentialOffer,
      authorizationCode: code,
      pkceCodeVerifier: authorization.pkce?.codeVerifier,
      redirectUri,
      dpop: authorization.dpop ?? { signer: dpopSigner },
    });
    expect(token.accessTokenResponse.token_type).toBe('DPoP');

    const { c_nonce } = await wallet.requestNonce({ issuerMetadata });
    const { jwt } = await wallet.createCredentialRequestJwtProof({
      issuerMetadata,
      credentialConfigurationId: 'national_id_sd_jwt',
      nonce: c_nonce,
      signer: { method: 'jwk', alg: 'ES256', publicJwk: keys.holder.publicJwk as Jwk },
    });
    const { credentialResponse } = await wallet.retrieveCredentials({
      issuerMetadata,
      accessToken: token.accessTokenResponse.access_token,
      credentialConfigurationId: 'national_id_sd_jwt',
      proofs: { jwt: [jwt] },
      dpop: token.dpop ?? { signer: dpopSigner },
    });
    const first = credentialResponse.credentials?.[0] as { credential: string } | undefined;
    const issuerSigned = String(first?.credential).split('~')[0] as string;
    expect(decodeProtectedHeader(issuerSigned).typ).toBe('dc+sd-jwt');
    expect((decodeJwt(issuerSigned).cnf as { jwk: JWK }).jwk.x).toBe(keys.holder.publicJwk.x);
  });
});
