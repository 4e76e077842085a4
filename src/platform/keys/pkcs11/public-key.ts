import type { JWK } from 'jose';
import type { SigningAlgorithm } from '../signing-key.js';

/**
 * CKA_EC_POINT to a public JWK. PKCS#11 says the point is a DER OCTET STRING (X9.62 uncompressed
 * point for P-256, RFC 8410's 32 bytes for Ed25519); some tokens return it bare, so both are read.
 */
export function ecPointToJwk(alg: SigningAlgorithm, point: Buffer): JWK {
  const size = alg === 'ES256' ? 65 : 32;
  let raw = point;
  if (point.length === size + 2 && point[0] === 0x04 && point[1] === size) raw = point.subarray(2);
  if (raw.length !== size) throw new Error(`unexpected CKA_EC_POINT of ${point.length} bytes for ${alg}`);
  if (alg === 'EdDSA') return { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') };
  if (raw[0] !== 0x04) throw new Error('CKA_EC_POINT is not an uncompressed P-256 point');
  return {
    kty: 'EC',
    crv: 'P-256',
    x: raw.subarray(1, 33).toString('base64url'),
    y: raw.subarray(33).toString('base64url'),
  };
}
