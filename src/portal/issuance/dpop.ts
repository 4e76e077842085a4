import { createHash, randomBytes } from 'node:crypto';
import { exportJWK, importJWK, type JWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import type { MasterKey } from '../../platform/keys/index.js';

const SEAL_CONTEXT = 'portal-dpop-key';

/**
 * A DPoP key (RFC 9449) for one flow: made when the flow starts, sealed with the master key into
 * the flow's row (any instance may finish the flow), used for PAR, the token request and the
 * credential request, and gone when the flow ends. It never leaves the server.
 */
export async function newDpopKey(masterKey: MasterKey): Promise<{ pair: CryptoKeyPair; sealed: string }> {
  const pair = await client.randomDPoPKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(pair.privateKey);
  return { pair, sealed: masterKey.encrypt(Buffer.from(JSON.stringify(jwk)), SEAL_CONTEXT) };
}

export async function openDpopKey(masterKey: MasterKey, sealed: string): Promise<CryptoKeyPair> {
  const jwk = JSON.parse(masterKey.decrypt(sealed, SEAL_CONTEXT).toString('utf8')) as JWK;
  const { kty, crv, x, y } = jwk;
  const privateKey = (await importJWK(jwk, 'ES256', { extractable: false })) as CryptoKey;
  const publicKey = (await importJWK({ kty, crv, x, y }, 'ES256', { extractable: true })) as CryptoKey;
  return { privateKey, publicKey };
}

/**
 * A DPoP proof for a resource request (RFC 9449 §4.2, §7.1): `ath` binds it to the access token,
 * `nonce` when the server asked for one.
 */
export async function dpopProof(
  pair: CryptoKeyPair,
  request: { method: string; url: string; accessToken: string; nonce?: string },
): Promise<string> {
  const htu = new URL(request.url);
  htu.search = '';
  htu.hash = '';
  const { kty, crv, x, y } = await exportJWK(pair.publicKey);
  return new SignJWT({
    jti: randomBytes(16).toString('base64url'),
    htm: request.method,
    htu: htu.href,
    ath: createHash('sha256').update(request.accessToken).digest('base64url'),
    ...(request.nonce ? { nonce: request.nonce } : {}),
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })
    .setIssuedAt()
    .sign(pair.privateKey);
}
