import { createHash } from 'node:crypto';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import type { Jwk } from '@openid4vc/oauth2';
import type { IssuerMetadataResult, Openid4vciClient } from '@openid4vc/openid4vci';
import { digest, ES256 } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import {
  type CryptoKey,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentLoader } from '../../src/credentials/jsonld/document-loader.js';
import type { Config } from '../../src/platform/config/index.js';
import type { ClientKey } from '../authz/helpers.js';
import { verifyWithAuth0 } from '../credentials/formats/mso-mdoc/helpers.js';
import { owfWallet, signInForCode } from '../helpers/owf-wallet.js';
import { walletPrivateKeyJwt } from '../helpers/wallet-client-auth.js';
import { startWalletSystem, type WalletSystem } from '../helpers/wallet-system.js';

/**
 * Every format through the whole OpenID4VCI flow: the OWF wallet library (@openid4vc/openid4vci)
 * signs in at our authz, gets a token for the issuer, and requests each demo configuration with a
 * fresh nonce and key proof; each credential is then checked by a library that is not ours, with
 * the issuer's keys taken from what it publishes (jwt-vc-issuer, did.json, the IACA certificate).
 */
let config: Config;
let setup: WalletSystem;
let clientKey: ClientKey;
let wallet: Openid4vciClient;
let issuerMetadata: IssuerMetadataResult;
let accessToken: string;
let issuerUrl: string;

const holders: Record<'ES256' | 'EdDSA', { privateKey: CryptoKey; publicJwk: JWK; privateJwk: JWK }> =
  {} as never;

beforeAll(async () => {
  setup = await startWalletSystem();
  ({ config, clientKey } = setup);
  issuerUrl = config.issuer.publicUrl;
  for (const alg of ['ES256', 'EdDSA'] as const) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    holders[alg] = {
      privateKey,
      publicJwk: await exportJWK(publicKey),
      privateJwk: await exportJWK(privateKey),
    };
  }
  const clientId = config.portal.clientId;
  const redirectUri = config.authz.clients[0]?.redirect_uris[0] ?? '';
  wallet = owfWallet({
    clientAuthentication: walletPrivateKeyJwt(clientId, clientKey),
    keyFor: (signer) => holders[signer.alg as 'ES256' | 'EdDSA']?.privateKey,
  });
  issuerMetadata = await wallet.resolveIssuerMetadata(issuerUrl);
  const credentialOffer = {
    credential_issuer: issuerUrl,
    credential_configuration_ids: ['national_id_sd_jwt'],
    grants: { authorization_code: { authorization_server: config.authz.publicUrl } },
  };
  const authorization = await wallet.createAuthorizationRequestUrlFromOffer({
    clientId,
    credentialOffer,
    issuerMetadata,
    redirectUri,
    scope: 'openid national_id driving_licence',
  });
  const { code } = await signInForCode(
    wallet,
    issuerMetadata,
    authorization.authorizationRequestUrl,
    config.authz.publicUrl,
  );
  const { accessTokenResponse } = await wallet.retrieveAuthorizationCodeAccessTokenFromOffer({
    issuerMetadata,
    credentialOffer,
    authorizationCode: code,
    pkceCodeVerifier: authorization.pkce?.codeVerifier,
    redirectUri,
  });
  accessToken = accessTokenResponse.access_token;
}, 120_000);

afterAll(async () => {
  await setup?.stop();
});

/** Nonce, key proof and credential request through the wallet library; the one credential returned. */
async function obtain(configurationId: string, alg: 'ES256' | 'EdDSA' = 'ES256'): Promise<unknown> {
  const { c_nonce } = await wallet.requestNonce({ issuerMetadata });
  const { jwt } = await wallet.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId: configurationId,
    nonce: c_nonce,
    signer: { method: 'jwk', alg, publicJwk: holders[alg].publicJwk as Jwk },
  });
  const { credentialResponse } = await wallet.retrieveCredentials({
    issuerMetadata,
    accessToken,
    credentialConfigurationId: configurationId,
    proofs: { jwt: [jwt] },
  });
  const first = credentialResponse.credentials?.[0];
  if (!first || typeof first !== 'object' || !('credential' in first)) throw new Error('no credential');
  return first.credential;
}

/** The issuer's DID document, fetched as a verifier would (did:web → https://host/.well-known/did.json). */
async function didDocument(): Promise<Record<string, unknown>> {
  const response = await fetch(`${issuerUrl}/.well-known/did.json`);
  expect(response.headers.get('content-type')).toContain('application/did+json');
  return (await response.json()) as Record<string, unknown>;
}

const metadataOf = (id: string) =>
  (
    issuerMetadata.credentialIssuer.credential_configurations_supported as Record<
      string,
      Record<string, unknown>
    >
  )[id];

describe('every format through the OpenID4VCI flow', () => {
  it('dc+sd-jwt: @sd-jwt/sd-jwt-vc verifies it with the key from /.well-known/jwt-vc-issuer', async () => {
    const credential = (await obtain('national_id_sd_jwt')) as string;
    const { jwks } = (await (await fetch(`${issuerUrl}/.well-known/jwt-vc-issuer`)).json()) as {
      jwks: { keys: JWK[] };
    };
    const { kid } = decodeProtectedHeader(credential);
    const key = jwks.keys.find((k) => k.kid === kid) as JsonWebKey;
    const library = new SDJwtVcInstance({
      hasher: digest,
      verifier: async (data, signature) => (await ES256.getVerifier(key))(data, signature),
      statusListFetcher: async (uri) => (await fetch(uri)).text(),
      statusVerifier: async (data, signature) => (await ES256.getVerifier(key))(data, signature),
    });
    const { payload } = await library.verify(credential);
    expect(payload).toMatchObject({ iss: issuerUrl, given_name: 'Amara' });

    // vct#integrity (SRI, base64) over the type metadata the issuer serves; the library then checks
    // the document against its Type Metadata schema. (@sd-jwt 0.19 compares SRI digests as hex, so
    // the digest is checked here with node:crypto rather than by its fetcher.)
    const served = await fetch(`${issuerUrl}/type-metadata/national_id_sd_jwt`);
    const bytes = Buffer.from(await served.arrayBuffer());
    const integrity = payload['vct#integrity'] as string;
    expect(integrity).toBe(`sha256-${createHash('sha256').update(bytes).digest('base64')}`);
    const withTypes = new SDJwtVcInstance({
      hasher: digest,
      verifier: async (data, signature) => (await ES256.getVerifier(key))(data, signature),
      statusListFetcher: async (uri) => (await fetch(uri)).text(),
      statusVerifier: async (data, signature) => (await ES256.getVerifier(key))(data, signature),
      loadTypeMetadataFormat: true,
      vctFetcher: async (vct) => {
        expect(vct).toBe(payload.vct);
        return JSON.parse(bytes.toString('utf8'));
      },
    });
    const typed = (await withTypes.verify(credential)) as {
      typeMetadata?: { mergedTypeMetadata: Record<string, unknown> };
    };
    expect(typed.typeMetadata?.mergedTypeMetadata).toMatchObject({ vct: payload.vct, name: 'National ID' });
    expect(payload.cnf).toEqual({
      jwk: { kty: 'EC', crv: 'P-256', x: holders.ES256.publicJwk.x, y: holders.ES256.publicJwk.y },
    });
    expect(payload.status).toMatchObject({ status_list: { uri: expect.stringContaining(issuerUrl) } });
  });

  it('vc+sd-jwt: a draft-13 request for `vc+sd-jwt` gets the SD-JWT VC under that older typ', async () => {
    const nonce = (
      (await (await fetch(`${issuerUrl}/nonce`, { method: 'POST' })).json()) as { c_nonce: string }
    ).c_nonce;
    const proof = await new SignJWT({ aud: issuerUrl, iat: Math.floor(Date.now() / 1000), nonce })
      .setProtectedHeader({ typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: holders.ES256.publicJwk })
      .sign(holders.ES256.privateKey);
    const response = await fetch(`${issuerUrl}/credential`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({
        format: 'vc+sd-jwt',
        vct: metadataOf('national_id_sd_jwt')?.vct,
        proof: { proof_type: 'jwt', jwt: proof },
      }),
    });
    const body = (await response.json()) as { credential?: string };
    expect(response.status).toBe(200);
    expect(decodeProtectedHeader(body.credential as string).typ).toBe('vc+sd-jwt');
  });

  it('jwt_vc_json: the VCDM 1.1 JWT encoding; jose verifies it with the did:web key named by kid', async () => {
    expect(metadataOf('national_id_jwt_vc')).toMatchObject({
      format: 'jwt_vc_json',
      cryptographic_binding_methods_supported: ['did:jwk'],
    });
    const jwt = (await obtain('national_id_jwt_vc', 'EdDSA')) as string;
    const { kid, typ } = decodeProtectedHeader(jwt);
    const document = await didDocument();
    const did = document.id as string;
    expect(did).toBe(`did:web:${new URL(issuerUrl).host.replace(':', '%3A')}`);
    const method = (document.verificationMethod as { id: string; publicKeyMultibase: string }[]).find(
      (m) => m.id === kid,
    );
    expect(method).toBeDefined();
    const { resolveDidUrlToJwk } = await import('../../src/credentials/did/index.js');
    const jwk = resolveDidUrlToJwk(`did:key:${method?.publicKeyMultibase}`);
    const { payload } = await jwtVerify(jwt, await importJWK(jwk, 'ES256'), { issuer: did });
    // OpenID4VCI 1.0 Appendix A.1.1 profiles VCDM 1.1 ([VC_DATA]); VCDM 1.1 §6.3.1: the credential
    // goes in the `vc` claim, `iss` is the issuer, `sub` the subject's id, `nbf` the issuance date.
    expect(typ).toBe('JWT');
    const vcClaim = payload.vc as Record<string, unknown>;
    expect((vcClaim['@context'] as string[])[0]).toBe('https://www.w3.org/2018/credentials/v1');
    expect(vcClaim.type).toContain('VerifiableCredential');
    expect(payload.iss).toBe(did);
    expect(typeof payload.nbf).toBe('number');
    expect(payload.sub).toBe(
      `did:jwk:${Buffer.from(JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: holders.EdDSA.publicJwk.x })).toString('base64url')}`,
    );
    expect(vcClaim.credentialStatus).toBeDefined();
  });

  it('ldp_vc: @digitalbazaar/vc verifies it, resolving the issuer did:web over HTTP', async () => {
    expect(metadataOf('national_id_ldp_vc')).toMatchObject({
      format: 'ldp_vc',
      credential_signing_alg_values_supported: ['eddsa-rdfc-2022'],
    });
    const credential = (await obtain('national_id_ldp_vc')) as Record<string, unknown>;
    const document = await didDocument();
    const loader = createDocumentLoader({
      resolveDid: async (did) => (did === document.id ? document : undefined),
    });
    const result = await vc.verifyCredential({
      credential,
      suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
      documentLoader: loader,
      checkStatus: async () => ({ verified: true }),
    });
    expect(result.error).toBeUndefined();
    expect(result.verified).toBe(true);
    expect(credential.issuer).toBe(document.id);
    const tampered = structuredClone(credential) as { credentialSubject: Record<string, unknown> };
    tampered.credentialSubject.id = 'did:example:someone-else';
    const bad = await vc.verifyCredential({
      credential: tampered,
      suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
      documentLoader: loader,
      checkStatus: async () => ({ verified: true }),
    });
    expect(bad.verified).toBe(false);
  });

  it('mso_mdoc: @auth0/mdl verifies the mDL against the published IACA, presented with the proof key', async () => {
    expect(metadataOf('driving_licence_mdoc')).toMatchObject({
      format: 'mso_mdoc',
      doctype: 'org.iso.18013.5.1.mDL',
      cryptographic_binding_methods_supported: ['cose_key'],
      credential_signing_alg_values_supported: [-7],
    });
    const credential = (await obtain('driving_licence_mdoc')) as string;
    expect(credential).toMatch(/^[A-Za-z0-9_-]+$/);
    const iacaPem = await (await fetch(`${issuerUrl}/mdoc/iaca.pem`)).text();
    const mdoc = await verifyWithAuth0(credential, {
      docType: 'org.iso.18013.5.1.mDL',
      namespace: 'org.iso.18013.5.1',
      elements: ['family_name', 'document_number', 'driving_privileges', 'portrait'],
      holderPrivateJwk: holders.ES256.privateJwk,
      iacaPem,
    });
    const { verifyMdoc } = await import('../../src/credentials/formats/mso-mdoc/verify.js');
    const { X509Certificate } = await import('node:crypto');
    const ours = await verifyMdoc(credential, { trustedCertificates: [new X509Certificate(iacaPem).raw] });
    expect(ours.status?.status_list.uri).toContain(`${issuerUrl}/status/token/`);
    // Unlinkability: the MSO's signed / validFrom / validUntil are on the hour (read by @auth0/mdl).
    const validity = mdoc.documents[0]?.issuerSigned.issuerAuth.decodedPayload.validityInfo;
    const times = [validity?.signed, validity?.validFrom, validity?.validUntil].map((d) => d?.getTime());
    expect(times.every((t) => typeof t === 'number' && t % 3_600_000 === 0)).toBe(true);
    const values = mdoc.documents[0]?.getIssuerNameSpace('org.iso.18013.5.1');
    expect(values?.family_name).toBe('Okafor');
    expect(values?.document_number).toBe('DL880000');
  });

  it('the DID document keeps a key after rotation, so earlier credentials still verify', async () => {
    const before = await didDocument();
    const ids = (before.verificationMethod as { id: string }[]).map((m) => m.id);
    expect(ids.length).toBeGreaterThanOrEqual(3); // EdDSA, ES256 (W3C) and the SD-JWT key
    expect(before.assertionMethod).toEqual(ids);
  });
});
