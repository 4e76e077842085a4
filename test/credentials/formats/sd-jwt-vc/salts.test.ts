import { describe, expect, it } from 'vitest';
import { saltGenerator } from '../../../../src/credentials/formats/sd-jwt-vc/hash.js';

describe('SD-JWT disclosure salts cut from a pool of random bytes', () => {
  it('are 128 bits each, base64url, and never repeat across many pool refills', () => {
    const salts = Array.from({ length: 5000 }, () => saltGenerator());
    for (const salt of salts) {
      expect(salt).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(salt, 'base64url')).toHaveLength(16);
    }
    expect(new Set(salts).size).toBe(salts.length);
    // No byte of the pool is handed out twice: consecutive salts share no 16-byte window.
    const bytes = Buffer.concat(salts.map((s) => Buffer.from(s, 'base64url')));
    const windows = new Set<string>();
    for (let i = 0; i + 16 <= bytes.length; i += 8) windows.add(bytes.toString('hex', i, i + 16));
    expect(windows.size).toBe(Math.floor((bytes.length - 16) / 8) + 1);
  });
});
