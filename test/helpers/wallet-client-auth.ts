import { randomUUID } from 'node:crypto';
import type { ClientAuthenticationCallback } from '@openid4vc/oauth2';
import { type CryptoKey, type JWK, SignJWT } from 'jose';

/**
 * RFC 7523 private_key_jwt for the OWF wallet library (@openid4vc/oauth2's client-authentication
 * callback), signed on the wallet side with jose — never with our key interface, so the two ends of
 * an interop test do not share code.
 */
export function walletPrivateKeyJwt(
  clientId: string,
  key: { privateKey: unknown; publicJwk: JWK },
): ClientAuthenticationCallback {
  return async ({ authorizationServerMetadata, body }) => {
    body.client_id = clientId;
    body.client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
    body.client_assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: String(key.publicJwk.kid) })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(authorizationServerMetadata.issuer)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign((key.privateKey as { key: CryptoKey }).key);
  };
}
