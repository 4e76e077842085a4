import type { Jwk } from '@openid4vc/oauth2';
import { digest, ES256 } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Config } from '../../src/platform/config/index.js';
import { AMARA, type ClientKey } from '../authz/helpers.js';
import { owfWallet, signInForCode } from '../helpers/owf-wallet.js';
import { walletPrivateKeyJwt } from '../helpers/wallet-client-auth.js';
import { startWalletSystem, type WalletSystem } from '../helpers/wallet-system.js';

/**
 * The whole flow with our authz and issuer on one side and independent libraries on the other:
 * @openid4vc/openid4vci (the OWF wallet library) builds the authorization request, redeems the code
 * at authz (PKCE, private_key_jwt), fetches the nonce, signs the proof and requests the credential;
 * @sd-jwt/sd-jwt-vc verifies what the issuer returned. Nothing of ours runs on the wallet side.
 */
let config: Config;
let setup: WalletSystem;
let clientKey: ClientKey;

beforeAll(async () => {
  setup = await startWalletSystem();
  ({ config, clientKey } = setup);
});

afterAll(async () => {
  await setup?.stop();
});

it('an independent wallet library gets a credential with a token from authz; @sd-jwt verifies it', async () => {
  const clientId = config.portal.clientId;
  const redirectUri = config.authz.clients[0]?.redirect_uris[0] ?? '';
  const holder = await generateKeyPair('ES256', { extractable: true });
  const holderJwk = await exportJWK(holder.publicKey);
  const wallet = owfWallet({
    clientAuthentication: walletPrivateKeyJwt(clientId, clientKey),
    keyFor: () => holder.privateKey,
  });

  const issuerMetadata = await wallet.resolveIssuerMetadata(config.issuer.publicUrl);
  const credentialOffer = {
    credential_issuer: config.issuer.publicUrl,
    credential_configuration_ids: ['national_id_sd_jwt'],
    // The issuer lists itself too (pre-authorized code); the offer names the AS for this grant (§4.1.1).
    grants: { authorization_code: { authorization_server: config.authz.publicUrl } },
  };
  const authorization = await wallet.createAuthorizationRequestUrlFromOffer({
    clientId,
    credentialOffer,
    issuerMetadata,
    redirectUri,
    scope: 'openid national_id',
  });
  expect(authorization.authorizationServer).toBe(config.authz.publicUrl);
  expect(authorization.pkce?.codeChallengeMethod).toBe('S256');

  // The person signs in at authz (the browser part is not the wallet library's job).
  const origin = config.authz.publicUrl;
  const { code, interaction, callback } = await signInForCode(
    wallet,
    issuerMetadata,
    authorization.authorizationRequestUrl,
    origin,
  );
  expect(interaction.pathname).toMatch(/^\/interaction\//);
  expect(callback.href.startsWith(redirectUri)).toBe(true);

  const { accessTokenResponse } = await wallet.retrieveAuthorizationCodeAccessTokenFromOffer({
    issuerMetadata,
    credentialOffer,
    authorizationCode: code,
    pkceCodeVerifier: authorization.pkce?.codeVerifier,
    redirectUri,
  });
  // RFC 9068: a JWT access token for the issuer, carrying the scope.
  const authzJwks = (await (await fetch(`${origin}/jwks`)).json()) as { keys: JWK[] };
  const { payload: token, protectedHeader } = await jwtVerify(
    accessTokenResponse.access_token,
    createLocalJWKSet(authzJwks),
    { issuer: origin, audience: config.issuer.publicUrl },
  );
  expect(protectedHeader.typ).toBe('at+jwt');
  expect(String(token.scope).split(' ')).toContain('national_id');

  const { c_nonce } = await wallet.requestNonce({ issuerMetadata });
  const { jwt } = await wallet.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId: 'national_id_sd_jwt',
    nonce: c_nonce,
    signer: { method: 'jwk', alg: 'ES256', publicJwk: holderJwk as Jwk },
  });
  const { credentialResponse } = await wallet.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: 'national_id_sd_jwt',
    proofs: { jwt: [jwt] },
  });
  const first = credentialResponse.credentials?.[0];
  const credential =
    typeof first === 'object' && first && 'credential' in first ? first.credential : undefined;
  if (typeof credential !== 'string') throw new Error('no credential in the response');

  // Independent verification with @sd-jwt/sd-jwt-vc, keys from the issuer's JWT VC issuer metadata.
  const issuerKeys = (
    (await (await fetch(`${config.issuer.publicUrl}/.well-known/jwt-vc-issuer`)).json()) as {
      jwks: { keys: JWK[] };
    }
  ).jwks.keys;
  const sdJwtVc = new SDJwtVcInstance({
    hasher: digest,
    verifier: async (data, signature) => {
      const [header] = data.split('.');
      const { kid } = JSON.parse(Buffer.from(header ?? '', 'base64url').toString()) as { kid?: string };
      const key = issuerKeys.find((k) => k.kid === kid);
      if (!key) return false;
      return (await ES256.getVerifier(key as JsonWebKey))(data, signature);
    },
  });
  const verified = await sdJwtVc.verify(credential);
  const claims = verified.payload as Record<string, unknown>;
  expect(claims.iss).toBe(config.issuer.publicUrl);
  expect(claims.given_name).toBe('Amara');
  expect(claims.family_name).toBe('Okafor');
  expect(claims.birthdate).toBe(AMARA.date_of_birth);
  expect(claims.cnf).toEqual({ jwk: { kty: 'EC', crv: 'P-256', x: holderJwk.x, y: holderJwk.y } });
});
