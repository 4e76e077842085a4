import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt parameters (RFC 7914); N=2^15, r=8, p=1 is OWASP's minimum recommendation. */
const DEFAULTS = { N: 32768, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const MAX_MEMORY = 128 * DEFAULTS.N * DEFAULTS.r * 2;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...options, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** A password hash as the registry stores it: `scrypt$N$r$p$<salt>$<hash>` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, DEFAULTS);
  return [
    'scrypt',
    DEFAULTS.N,
    DEFAULTS.r,
    DEFAULTS.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

/** Checked when the ID is unknown or has no password, so that path costs the same scrypt. */
const DUMMY_HASH = `scrypt$${DEFAULTS.N}$${DEFAULTS.r}$${DEFAULTS.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEY_LENGTH).toString('base64url')}`;

/**
 * Verifies a password against a stored hash in constant time. A missing or malformed hash is
 * verified against a dummy (same cost) and fails.
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parts = (stored ?? '').split('$');
  const valid =
    parts.length === 6 &&
    parts[0] === 'scrypt' &&
    [parts[1], parts[2], parts[3]].every((n) => /^[0-9]{1,7}$/.test(n ?? '')) &&
    Number(parts[1]) <= 1 << 17 &&
    Number(parts[2]) <= 16 &&
    Number(parts[3]) <= 4;
  const [, n, r, p, salt, hash] = (valid ? parts : DUMMY_HASH.split('$')) as string[];
  const expected = Buffer.from(hash ?? '', 'base64url');
  const key = await derive(password, Buffer.from(salt ?? '', 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return valid && expected.length === key.length && timingSafeEqual(expected, key);
}
