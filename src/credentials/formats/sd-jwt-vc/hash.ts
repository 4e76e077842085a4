import { createHash } from 'node:crypto';
import { pooledRandomBytes } from '../../../platform/random.js';

/** IANA "Named Information Hash Algorithm" names accepted in `_sd_alg` → node:crypto names. */
const SD_HASHES: Record<string, string> = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' };

export function isSupportedSdAlg(alg: string): boolean {
  return Object.hasOwn(SD_HASHES, alg);
}

/** The @sd-jwt Hasher contract: bytes of the digest of the ASCII input. */
export function sdHash(data: string | ArrayBuffer, alg: string): Uint8Array {
  const nodeAlg = SD_HASHES[alg];
  if (!nodeAlg) throw new Error(`unsupported _sd_alg ${alg}`);
  const hash = createHash(nodeAlg);
  hash.update(typeof data === 'string' ? data : Buffer.from(data));
  return new Uint8Array(hash.digest());
}

/** base64url digest of one disclosure, as it appears in `_sd` / `...` (RFC 9901 §4.2.3). */
export function disclosureDigest(disclosure: string, alg: string): string {
  return Buffer.from(sdHash(disclosure, alg)).toString('base64url');
}

const SALT_BYTES = 16;

/**
 * 128-bit salts (RFC 9901 §9.3 recommends at least 128 bits); the library's default is 64. From the
 * process's pool of CSPRNG bytes (src/platform/random.ts): one call into OpenSSL per 256 salts.
 */
export function saltGenerator(): string {
  return pooledRandomBytes(SALT_BYTES).toString('base64url');
}
