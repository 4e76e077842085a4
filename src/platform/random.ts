import { randomBytes } from 'node:crypto';

/** CSPRNG bytes drawn at once: one call into OpenSSL per 4 KiB instead of one per salt or nonce. */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * `length` bytes from the CSPRNG, cut from a per-process pool, each byte handed out once — as
 * node:crypto's own `randomUUID` caches its entropy. Salts (SD-JWT disclosures, mdoc elements) and
 * nonces are drawn many times per credential, and a `randomBytes` call costs more than the bytes.
 * Forked workers are separate processes (child_process.fork starts a new node), so no two share a pool.
 */
export function pooledRandomBytes(length: number): Buffer {
  if (length > POOL_BYTES / 4) return randomBytes(length);
  if (offset + length > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  // A copy: the caller may keep or change it without touching bytes handed to anyone else.
  const bytes = Buffer.from(pool.subarray(offset, offset + length));
  offset += length;
  return bytes;
}
