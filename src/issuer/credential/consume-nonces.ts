import { badRequest } from '../errors.js';
import type { NonceStore } from '../nonce-store.js';

/**
 * Consumes the c_nonces the proofs carried (OpenID4VCI 1.0 §7): each distinct one once, atomically.
 * Called only after every proof checked out, so a rejected request does not burn its nonce.
 */
export async function consumeNonces(nonces: NonceStore, values: readonly string[]): Promise<void> {
  for (const nonce of new Set(values)) {
    if (!(await nonces.consume(nonce)))
      throw badRequest('invalid_nonce', 'c_nonce is unknown, expired or already used');
  }
}
