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

const SALT_BYTES = 16;
/** Salts drawn per call into the CSPRNG (one `randomBytes` for 256 salts: about 20 credentials of 12 disclosures). */
const SALTS_PER_DRAW = 256;
let saltPool = Buffer.alloc(0);
let saltOffset = 0;

/**
 * 128-bit salts (RFC 9901 §9.3 recommends at least 128 bits); the library's default is 64. Cut from a
 * pool of CSPRNG bytes, each byte used once, as node:crypto's `randomUUID` does with its cache: one
 * call into OpenSSL per 256 salts instead of one per disclosure.
 */
export function saltGenerator(): string {
  if (saltOffset + SALT_BYTES > saltPool.length) {
    saltPool = randomBytes(SALT_BYTES * SALTS_PER_DRAW);
    saltOffset = 0;
  }
  const salt = saltPool.toString('base64url', saltOffset, saltOffset + SALT_BYTES);
  saltOffset += SALT_BYTES;
  return salt;
}
