import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Equality that takes the same time wherever the strings differ (hashing fixes the length). */
export function constantTimeEquals(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * A keyed hash (HMAC-SHA-256, hex) of an identifier, so that lockouts and consents are stored
 * without the individual ID itself. The key is derived from the master key, the same on every instance.
 */
export function keyedHash(key: Buffer, purpose: string, value: string): string {
  return createHmac('sha256', key).update(`${purpose}\u0000${value}`, 'utf8').digest('hex');
}
