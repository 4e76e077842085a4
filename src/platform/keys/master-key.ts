import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function parseKey(text: string, source: string): Buffer {
  const value = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64url');
  if (key.length !== KEY_BYTES) throw new Error(`${source}: master key must be 32 bytes (64 hex characters)`);
  return key;
}

/**
 * The key that encrypts private keys at rest (AES-256-GCM). Taken from ATTESTA_MASTER_KEY when set,
 * else from a file that is created (mode 0600) on first start.
 */
export function loadMasterKey(file: string, env: NodeJS.ProcessEnv = process.env): MasterKey {
  if (env.ATTESTA_MASTER_KEY) return new MasterKey(parseKey(env.ATTESTA_MASTER_KEY, 'ATTESTA_MASTER_KEY'));
  try {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) chmodSync(file, 0o600);
    return new MasterKey(parseKey(readFileSync(file, 'utf8'), file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(KEY_BYTES);
  try {
    writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadMasterKey(file, env);
    throw error;
  }
  return new MasterKey(key);
}

export class MasterKey {
  constructor(private readonly key: Buffer) {}

  /** iv ‖ tag ‖ ciphertext, base64url. `context` is bound as associated data (e.g. the kid). */
  encrypt(plaintext: Buffer, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /**
   * A secret for one purpose (HKDF-SHA256, RFC 5869, `label` as info), e.g. cookie-signing keys:
   * every instance with the same master key derives the same value, and labels never collide.
   */
  derive(label: string, length = 32): Buffer {
    return Buffer.from(
      hkdfSync('sha256', this.key, Buffer.alloc(0), Buffer.from(`attesta:${label}`), length),
    );
  }

  decrypt(sealed: string, context: string): Buffer {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  }
}
