import { createHash, randomBytes } from 'node:crypto';

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

/** 128-bit salts (RFC 9901 §9.3 recommends at least 128 bits); the library's default is 64. */
export function saltGenerator(): string {
  return randomBytes(16).toString('base64url');
}
