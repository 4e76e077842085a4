import { clientAuthenticationNone, type Jwk } from '@openid4vc/oauth2';
import { type Openid4vciClient, Openid4vciVersion, setGlobalConfig } from '@openid4vc/openid4vci';
import type { JWK } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifySdJwtVc } from '../../src/credentials/formats/sd-jwt-vc/index.js';
import { owfWallet } from '../helpers/owf-wallet.js';
import { type ForeignAs, startForeignAs } from './helpers/foreign-as.js';
import { issuerConfig, startIssuer, type TestIssuer } from './helpers/issuer.js';
import { type Holder, newHolder } from './helpers/wallet.js';

/**
 * The issuer driven by an independent OpenID4VCI client (@openid4vc/openid4vci, the OWF wallet
 * library): it parses our metadata with its own schemas, fetches a nonce, builds the proof and the
 * credential request, and parses the response. Our code is only on the issuer side.
 */
let issuer: TestIssuer;
let as: ForeignAs;
let holder: Holder;

beforeAll(async () => {
  setGlobalConfig({ allowInsecureUrls: true }); // plain-http loopback only
  const prepared = await issuerConfig();
  as = await startForeignAs({ audience: prepared.config.issuer.publicUrl });
  issuer = await startIssuer([as.url], prepared);
  holder = await newHolder('ES256');
});

afterAll(async () => {
  await issuer?.stop();
  await as?.stop();
  setGlobalConfig({ allowInsecureUrls: false });
});

function walletClient(): Openid4vciClient {
  return owfWallet({
    clientAuthentication: clientAuthenticationNone({ clientId: 'wallet' }),
    keyFor: () => holder.privateKey,
  });
}

it('issues to an independent OpenID4VCI 1.0 wallet library', async () => {
  const client = walletClient();
  const issuerMetadata = await client.resolveIssuerMetadata(issuer.url);
  expect(issuerMetadata.originalDraftVersion).toBe(Openid4vciVersion.V1);
  expect(Object.keys(issuerMetadata.knownCredentialConfigurations)).toContain('national_id_sd_jwt');

  const { c_nonce } = await client.requestNonce({ issuerMetadata });
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId: 'national_id_sd_jwt',
    nonce: c_nonce,
    signer: { method: 'jwk', alg: 'ES256', publicJwk: holder.publicJwk as Jwk },
  });
  const { credentialResponse } = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: await as.mint(),
    credentialConfigurationId: 'national_id_sd_jwt',
    proofs: { jwt: [jwt] },
  });
  const first = credentialResponse.credentials?.[0];
  const credential = typeof first === 'object' && 'credential' in first ? first.credential : undefined;
  expect(typeof credential).toBe('string');

  const jwks = (await (await fetch(`${issuer.url}/.well-known/jwt-vc-issuer`)).json()) as {
    jwks: { keys: JWK[] };
  };
  const { claims, payload } = await verifySdJwtVc(credential as string, { issuerJwks: jwks.jwks });
  expect(claims.given_name).toBe('Amara');
  expect(payload.cnf).toEqual({
    jwk: { kty: 'EC', crv: 'P-256', x: holder.publicJwk.x, y: holder.publicJwk.y },
  });
});

it('surfaces our protocol error to the wallet library', async () => {
  const client = walletClient();
  const issuerMetadata = await client.resolveIssuerMetadata(issuer.url);
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId: 'national_id_sd_jwt',
    nonce: 'not-a-nonce-we-issued',
    signer: { method: 'jwk', alg: 'ES256', publicJwk: holder.publicJwk as Jwk },
  });
  const error = await client
    .retrieveCredentials({
      issuerMetadata,
      accessToken: await as.mint(),
      credentialConfigurationId: 'national_id_sd_jwt',
      proofs: { jwt: [jwt] },
    })
    .then(
      () => undefined,
      (e: unknown) => e as { response?: { credentialErrorResponseResult?: { data?: unknown } } },
    );
  expect(error).toBeDefined();
  expect(error?.response?.credentialErrorResponseResult?.data).toMatchObject({ error: 'invalid_nonce' });
});
