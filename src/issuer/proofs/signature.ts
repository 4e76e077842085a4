import { createPublicKey, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { compactVerify, importJWK, type JWK } from 'jose';
import { base58btcDecode } from '../../credentials/did/base58.js';
import { decodeBase64url } from '../compact-jwt.js';

/** Proof algorithms and the key each needs; ES256K (secp256k1) is verified with node:crypto (jose lacks it). */
export const CURVE_OF: Record<string, { kty: string; crv: string }> = {
  ES256: { kty: 'EC', crv: 'P-256' },
  ES256K: { kty: 'EC', crv: 'secp256k1' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
};

/**
 * Algorithms verified directly with node:crypto (RFC 7518 §3.4: ECDSA as R || S, 32 bytes each on
 * P-256 and secp256k1; RFC 8037 §3.1: Ed25519, 64 bytes). Every key proof brings a new key, and
 * importing it through WebCrypto (jose's path) costs more than the verification itself; a KeyObject
 * from the JWK is the same OpenSSL check without that detour (docs/decisions.md, issue 14).
 */
const NODE_VERIFY: Record<string, { digest: string | null; signatureLength: number }> = {
  ES256: { digest: 'sha256', signatureLength: 64 },
  ES256K: { digest: 'sha256', signatureLength: 64 },
  EdDSA: { digest: null, signatureLength: 64 },
  Ed25519: { digest: null, signatureLength: 64 },
};

/**
 * Verifies a compact JWS signature with a public JWK; true when valid. The caller has read the
 * protected header: `alg` is the header's, and a `crit` header is refused before this.
 */
export async function verifyJwsSignature(jws: string, jwk: JWK, alg: string): Promise<boolean> {
  try {
    const direct = NODE_VERIFY[alg];
    const curve = CURVE_OF[alg];
    if (direct && curve) {
      // jose refuses a key of another curve for the alg; so does this path.
      if (jwk.kty !== curve.kty || jwk.crv !== curve.crv) return false;
      const parts = jws.split('.');
      if (parts.length !== 3) return false;
      const [header, payload, encoded] = parts as [string, string, string];
      // Decoded as jose decodes it, so both accept and refuse the same encodings.
      const signature = decodeBase64url(encoded);
      if (signature.length !== direct.signatureLength) return false;
      return cryptoVerify(
        direct.digest,
        Buffer.from(`${header}.${payload}`),
        { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
        signature,
      );
    }
    await compactVerify(jws, await importJWK(jwk, alg), { algorithms: [alg] });
    return true;
  } catch {
    return false;
  }
}

const SECP256K1_PUB = [0xe7, 0x01];
const SECP256K1_COMPRESSED_SPKI = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex');

/** did:key of a secp256k1 key (multicodec 0xe7, compressed point), which the shared resolver leaves out. */
export function secp256k1DidKey(didUrl: string): JWK | undefined {
  const match = /^did:key:z([1-9A-HJ-NP-Za-km-z]+)(#z[1-9A-HJ-NP-Za-km-z]+)?$/.exec(didUrl);
  if (!match) return undefined;
  const bytes = base58btcDecode(match[1] as string);
  if (bytes[0] !== SECP256K1_PUB[0] || bytes[1] !== SECP256K1_PUB[1] || bytes.length !== 35) return undefined;
  const spki = Buffer.concat([SECP256K1_COMPRESSED_SPKI, bytes.subarray(2)]);
  const jwk = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'jwk' });
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

/**
 * The holder key of an `x5c` chain (RFC 7515 §4.1.6): every certificate is within its validity
 * period and signed by the next one; the leaf's public key is the key proven.
 */
export function x5cLeafKey(x5c: unknown, now: Date): JWK {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > 5 || !x5c.every((c) => typeof c === 'string'))
    throw new Error('x5c must be a non-empty array of certificates');
  const chain = x5c.map((der: string) => new X509Certificate(Buffer.from(der, 'base64')));
  chain.forEach((cert, i) => {
    if (new Date(cert.validFrom) > now || new Date(cert.validTo) < now)
      throw new Error('certificate not valid now');
    const next = chain[i + 1];
    if (next && !cert.verify(next.publicKey)) throw new Error('certificate chain broken');
  });
  const jwk = (chain[0] as X509Certificate).publicKey.export({ format: 'jwk' });
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) };
}
