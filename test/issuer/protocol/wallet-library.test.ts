import { clientAuthenticationNone, type Jwk } from '@openid4vc/oauth2';
import { type Openid4vciClient, setGlobalConfig } from '@openid4vc/openid4vci';
import { compactDecrypt, decodeJwt, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfferView } from '../../../src/issuer/offers/create.js';
import { owfWallet } from '../../helpers/owf-wallet.js';
import { testConfig } from '../../helpers/system.js';
import { type ForeignAs, startForeignAs } from '../helpers/foreign-as.js';
import { createOffer, newDpopKey } from '../helpers/protocol-client.js';
import { type ProtocolIssuer, startProtocolIssuer } from '../helpers/protocol-issuer.js';
import { type Holder, newHolder } from '../helpers/wallet.js';

/**
 * Our issuer driven by an independent wallet library (@openid4vc/openid4vci 0.4.6, the OWF
 * library): it resolves the offer by reference, redeems the pre-authorized code with the
 * transaction code (with and without DPoP), makes the proofs, asks for a batch, follows deferred
 * issuance and sends notifications. Only the issuer side is our code.
 */
let issuer: ProtocolIssuer;
let as: ForeignAs;
/** Private keys the wallet signs with, by public x. */
const keys = new Map<string, CryptoKey>();

beforeAll(async () => {
  setGlobalConfig({ allowInsecureUrls: true }); // plain-http loopback only
  const prepared = await testConfig({ services: ['issuer'] });
  // The configured authorization server (authorization code flow) is a third-party one here.
  as = await startForeignAs({ audience: prepared.config.issuer.publicUrl });
  issuer = await startProtocolIssuer({ prepared, authorizationServers: [as.url] });
});
afterAll(async () => {
  await issuer?.stop();
  await as?.stop();
  setGlobalConfig({ allowInsecureUrls: false });
});

function remember(holder: { privateKey: CryptoKey; publicJwk: JWK }): void {
  keys.set(holder.publicJwk.x as string, holder.privateKey);
}

function wallet(): Openid4vciClient {
  return owfWallet({
    clientAuthentication: clientAuthenticationNone({ clientId: 'wallet' }),
    keyFor: (signer) => keys.get(signer.publicJwk.x as string),
  });
}

async function offer(txCode = true): Promise<OfferView> {
  const created = await createOffer(issuer.url, {
    credential_configuration_ids: ['national_id_sd_jwt'],
    claims: { given_name: 'Amara', family_name: 'Okafor', nationalities: ['TG'] },
    grants: { pre_authorized_code: txCode ? { tx_code: { length: 6, input_mode: 'numeric' } } : {} },
  });
  return created.body as unknown as OfferView;
}

async function proofs(
  client: Openid4vciClient,
  issuerMetadata: Awaited<ReturnType<Openid4vciClient['resolveIssuerMetadata']>>,
  holders: Holder[],
) {
  const jwts = [];
  for (const holder of holders) {
    remember(holder);
    const { c_nonce } = await client.requestNonce({ issuerMetadata });
    const { jwt } = await client.createCredentialRequestJwtProof({
      issuerMetadata,
      credentialConfigurationId: 'national_id_sd_jwt',
      nonce: c_nonce,
      signer: { method: 'jwk', alg: holder.alg, publicJwk: holder.publicJwk as Jwk },
    });
    jwts.push(jwt);
  }
  return jwts;
}

function credentialStrings(response: { credentials?: unknown[] }): string[] {
  return (response.credentials ?? []).map((c) => (c as { credential: string }).credential);
}

describe('@openid4vc/openid4vci wallet', () => {
  it('offer by reference → pre-authorized code with tx_code → batch of three credentials, each bound to its key', async () => {
    const view = await offer();
    const client = wallet();
    const credentialOffer = await client.resolveCredentialOffer(view.offer_uri_by_reference);
    expect(credentialOffer.credential_issuer).toBe(issuer.url);
    const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
    const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer,
      issuerMetadata,
      txCode: view.tx_code,
    });
    expect(accessTokenResponse.token_type).toBe('Bearer');
    const holders = [await newHolder(), await newHolder('EdDSA'), await newHolder()];
    const { credentialResponse } = await client.retrieveCredentials({
      issuerMetadata,
      accessToken: accessTokenResponse.access_token,
      credentialConfigurationId: 'national_id_sd_jwt',
      proofs: { jwt: await proofs(client, issuerMetadata, holders) },
    });
    const credentials = credentialStrings(credentialResponse);
    expect(credentials).toHaveLength(3);
    expect(credentials.map((c) => (decodeJwt(c).cnf as { jwk: JWK }).jwk)).toEqual(
      holders.map((h) => h.publicJwk),
    );
    expect(decodeJwt(credentials[0] as string).family_name).toBe('Okafor');

    // The notification endpoint, through the library.
    const notified = await client.sendNotification({
      issuerMetadata,
      accessToken: accessTokenResponse.access_token,
      notification: {
        notificationId: credentialResponse.notification_id as string,
        event: 'credential_accepted',
      },
    });
    expect(notified.response.status).toBe(204);
  });

  it('refuses a wrong transaction code (the library surfaces invalid_grant)', async () => {
    const view = await offer();
    const client = wallet();
    const credentialOffer = await client.resolveCredentialOffer(view.offer_uri_by_reference);
    const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
    const error = await client
      .retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata, txCode: 'wrong!' })
      .then(
        () => undefined,
        (e: unknown) => e as { errorResponse?: { error?: string } },
      );
    expect(error?.errorResponse?.error).toBe('invalid_grant');
  });

  it('DPoP-bound token from the pre-authorized grant, used with DPoP at the credential endpoint', async () => {
    const view = await offer(false);
    const client = wallet();
    const credentialOffer = await client.resolveCredentialOffer(view.credential_offer_uri_by_value);
    const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
    const dpopKey = await newDpopKey();
    remember(dpopKey);
    const signer = { method: 'jwk' as const, alg: 'ES256', publicJwk: dpopKey.publicJwk as Jwk };
    const { accessTokenResponse, dpop } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer,
      issuerMetadata,
      dpop: { signer },
    });
    expect(accessTokenResponse.token_type).toBe('DPoP');
    const holder = await newHolder();
    const { credentialResponse } = await client.retrieveCredentials({
      issuerMetadata,
      accessToken: accessTokenResponse.access_token,
      credentialConfigurationId: 'national_id_sd_jwt',
      proofs: { jwt: await proofs(client, issuerMetadata, [holder]) },
      dpop: dpop ?? { signer },
    });
    expect(credentialStrings(credentialResponse)).toHaveLength(1);
  });

  it('deferred issuance: transaction id, then the deferred endpoint, then a notification', async () => {
    const view = await offer(false);
    const client = wallet();
    const credentialOffer = await client.resolveCredentialOffer(view.offer_uri_by_reference);
    const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
    const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer,
      issuerMetadata,
    });
    issuer.issuance.pendingFor = 1;
    const { credentialResponse } = await client.retrieveCredentials({
      issuerMetadata,
      accessToken: accessTokenResponse.access_token,
      credentialConfigurationId: 'national_id_sd_jwt',
      proofs: { jwt: await proofs(client, issuerMetadata, [await newHolder()]) },
    });
    expect(credentialResponse.credentials).toBeUndefined();
    expect(credentialResponse.interval).toBe(5);
    // 0.4.6 refuses a deferred response with both `credentials` and `notification_id` (its check
    // is inverted: its own message says notification_id needs credentials; OpenID4VCI 1.0 §9.2
    // makes the deferred response a credential response, notification_id included). The request
    // is the library's; the answer is read from the error it raises.
    const outcome = await client
      .retrieveDeferredCredentials({
        issuerMetadata,
        accessToken: accessTokenResponse.access_token,
        transactionId: credentialResponse.transaction_id as string,
      })
      .then(
        (ok) => ({ body: ok.deferredCredentialResponse as Record<string, unknown> }),
        async (e: { response?: { response?: Response } }) => ({
          status: e.response?.response?.status,
          body: JSON.parse((await e.response?.response?.clone().text()) ?? '{}') as Record<string, unknown>,
        }),
      );
    expect('status' in outcome ? outcome.status : 200).toBe(200);
    expect(credentialStrings(outcome.body as { credentials?: unknown[] })).toHaveLength(1);
    const notified = await client.sendNotification({
      issuerMetadata,
      accessToken: accessTokenResponse.access_token,
      notification: { notificationId: outcome.body.notification_id as string, event: 'credential_deleted' },
    });
    expect(notified.response.status).toBe(204);
  });

  it('encrypted credential response: the library sends credential_response_encryption, jose decrypts the JWE', async () => {
    const view = await offer(false);
    const client = wallet();
    const credentialOffer = await client.resolveCredentialOffer(view.offer_uri_by_reference);
    const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
    expect(issuerMetadata.credentialIssuer.credential_response_encryption).toMatchObject({
      alg_values_supported: ['ECDH-ES'],
      enc_values_supported: ['A128GCM', 'A256GCM'],
    });
    const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer,
      issuerMetadata,
    });
    const { privateKey, publicKey } = await generateKeyPair('ECDH-ES', { crv: 'P-256' });
    const jwk = { ...(await exportJWK(publicKey)), alg: 'ECDH-ES' };
    // 0.4.6 does not decrypt responses itself: it reports the non-JSON answer, which we decrypt.
    const outcome = await client
      .retrieveCredentials({
        issuerMetadata,
        accessToken: accessTokenResponse.access_token,
        credentialConfigurationId: 'national_id_sd_jwt',
        proofs: { jwt: await proofs(client, issuerMetadata, [await newHolder()]) },
        additionalRequestPayload: { credential_response_encryption: { jwk, alg: 'ECDH-ES', enc: 'A256GCM' } },
      })
      .then(
        (ok) => ({ ok }),
        (e: unknown) => ({ error: e as { response?: { response?: Response } } }),
      );
    const response = 'error' in outcome ? outcome.error.response?.response : undefined;
    expect(response?.status).toBe(200);
    expect(response?.headers.get('content-type')).toMatch(/^application\/jwt/);
    const { plaintext } = await compactDecrypt(await (response as Response).text(), privateKey);
    const body = JSON.parse(new TextDecoder().decode(plaintext)) as { credentials: { credential: string }[] };
    expect(decodeJwt(body.credentials[0]?.credential ?? '').given_name).toBe('Amara');
  });
});
