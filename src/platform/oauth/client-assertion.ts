import { randomBytes } from 'node:crypto';
import type { ClientAuth } from 'openid-client';
import { type SigningKey, signCompactJws } from '../keys/index.js';

/** Lifetime of a client assertion: it is used at once, so a minute is plenty. */
const ASSERTION_TTL_SECONDS = 60;

/**
 * `private_key_jwt` client authentication (OIDC Core §9, RFC 7523 §2.2) that signs through our key
 * interface (the portal at authz, the issuer at authz for the revocation feed), so the private key stays in the key store (or an HSM). openid-client's own
 * `PrivateKeyJwt` would need the key as a WebCrypto key.
 *
 * `aud` is the authorization server's issuer identifier, which RFC 7523bis and oidc-provider accept
 * for every endpoint (the token endpoint URL alone would not do for PAR).
 */
export function signedClientAssertion(
  currentKey: () => Promise<SigningKey>,
  now: () => number = Date.now,
): ClientAuth {
  return async (as, client, body) => {
    const key = await currentKey();
    const iat = Math.floor(now() / 1000);
    const assertion = await signCompactJws(
      key,
      { typ: 'JWT' },
      {
        iss: client.client_id,
        sub: client.client_id,
        aud: as.issuer,
        jti: randomBytes(32).toString('base64url'),
        iat,
        nbf: iat,
        exp: iat + ASSERTION_TTL_SECONDS,
      },
    );
    body.set('client_id', client.client_id);
    body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    body.set('client_assertion', assertion);
  };
}
