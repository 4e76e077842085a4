import { clientAuthenticationNone, type Jwk } from '@openid4vc/oauth2';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { owfWallet } from '../helpers/owf-wallet.js';

/**
 * A wallet made of an independent library (@openid4vc/openid4vci, the OWF wallet client): it
 * resolves a credential offer URI, redeems the pre-authorized code with the transaction code, and
 * asks for the credential with a proof of a key of its own.
 */
export async function redeemOffer(
  offerUri: string,
  txCode: string | undefined,
): Promise<{ credentials: string[]; holderJwk: JWK; configurationId: string }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const holderJwk = await exportJWK(publicKey);
  const client = owfWallet({
    clientAuthentication: clientAuthenticationNone({ clientId: 'wallet' }),
    keyFor: () => privateKey,
  });
  const offer = await client.resolveCredentialOffer(offerUri);
  const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
  const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: offer,
    issuerMetadata,
    txCode,
  });
  const configurationId = offer.credential_configuration_ids[0] ?? '';
  const { c_nonce } = await client.requestNonce({ issuerMetadata });
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId: configurationId,
    nonce: c_nonce,
    signer: { method: 'jwk', alg: 'ES256', publicJwk: holderJwk as Jwk },
  });
  const { credentialResponse } = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId: configurationId,
    proofs: { jwt: [jwt] },
  });
  const credentials = (credentialResponse.credentials ?? []).map(
    (c) => (c as { credential: string }).credential,
  );
  return { credentials, holderJwk, configurationId };
}
