import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from '../../src/platform/random.js';

describe('pooledRandomBytes: CSPRNG bytes cut from a per-process pool', () => {
  it('hands out each byte once: 5,000 salts across many pool refills are all distinct', () => {
    const salts = Array.from({ length: 5000 }, () => pooledRandomBytes(16).toString('hex'));
    expect(salts.every((salt) => salt.length === 32)).toBe(true);
    expect(new Set(salts).size).toBe(salts.length);
  });

  it('returns a copy: changing one result changes nothing handed out before or after', () => {
    const first = pooledRandomBytes(32);
    const kept = Buffer.from(first);
    first.fill(0);
    const next = pooledRandomBytes(32);
    expect(next.equals(Buffer.alloc(32))).toBe(false);
    expect(next.equals(kept)).toBe(false);
    expect(kept.equals(Buffer.alloc(32))).toBe(false);
  });

  it('gives any length, also past the pool (drawn directly)', () => {
    for (const length of [0, 1, 7, 16, 32, 1024, 1025, 100_000])
      expect(pooledRandomBytes(length)).toHaveLength(length);
  });

  it('looks random: over 64 KiB every byte value occurs, none far more often than the others', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 4096; i++)
      for (const byte of pooledRandomBytes(16)) counts[byte] = (counts[byte] ?? 0) + 1;
    // 256 expected per value; a pool reused or zero-filled would break this by far.
    expect(Math.min(...counts)).toBeGreaterThan(150);
    expect(Math.max(...counts)).toBeLessThan(380);
  });
});
