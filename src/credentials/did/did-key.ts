import { createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';
import { base58btcDecode } from './base58.js';
import { DidResolutionError } from './errors.js';

/** Multicodec prefixes (unsigned varints) of the key types we resolve. */
const ED25519_PUB = [0xed, 0x01];
const P256_PUB = [0x80, 0x24]; // 0x1200

/** SPKI DER prefix for a compressed P-256 point; OpenSSL decompresses it on import. */
const P256_COMPRESSED_SPKI = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/**
 * did:key (W3C CCG did:key v0.7): `did:key:z<base58btc(multicodec ‖ raw public key)>`; the one
 * verification method's fragment repeats the method-specific id. Ed25519 (0xed) and P-256 (0x1200,
 * compressed SEC1 point) are supported.
 */
export function resolveDidKey(did: string, fragment: string | undefined): JWK {
  const id = did.slice('did:key:'.length);
  if (fragment !== undefined && fragment !== id) throw new DidResolutionError('did:key: unknown fragment');
  if (!id.startsWith('z')) throw new DidResolutionError('did:key: only base58btc multibase is supported');
  let bytes: Uint8Array;
  try {
    bytes = base58btcDecode(id.slice(1));
  } catch {
    throw new DidResolutionError('did:key: not base58btc');
  }
  if (startsWith(bytes, ED25519_PUB)) {
    const raw = bytes.subarray(ED25519_PUB.length);
    if (raw.length !== 32) throw new DidResolutionError('did:key: bad Ed25519 key length');
    return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') };
  }
  if (startsWith(bytes, P256_PUB)) {
    const point = bytes.subarray(P256_PUB.length);
    if (point.length !== 33 || (point[0] !== 2 && point[0] !== 3)) {
      throw new DidResolutionError('did:key: bad P-256 key');
    }
    try {
      const key = createPublicKey({
        key: Buffer.concat([P256_COMPRESSED_SPKI, point]),
        format: 'der',
        type: 'spki',
      });
      const jwk = key.export({ format: 'jwk' });
      return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
    } catch {
      throw new DidResolutionError('did:key: P-256 point not on the curve');
    }
  }
  throw new DidResolutionError('did:key: key type not supported');
}
