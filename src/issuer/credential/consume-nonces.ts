import type { Kysely } from 'kysely';
import type { IssuerTables } from '../database.js';
import { badRequest } from '../errors.js';
import type { NonceStore } from '../nonce-store.js';

const invalidNonce = () => badRequest('invalid_nonce', 'c_nonce is unknown, expired or already used');

/**
 * Refuses a request whose proofs carry a nonce this issuer did not make, or one that expired, before
 * any issuing work — without a database read (the nonce's MAC and expiry). A spent nonce is refused by
 * `consumeNonces` in the issuing transaction, which then rolls back: nothing of that request is kept.
 */
export function requireGenuineNonces(nonces: NonceStore, values: readonly string[]): void {
  for (const nonce of new Set(values)) if (!nonces.isGenuine(nonce)) throw invalidNonce();
}

/**
 * Consumes the c_nonces the proofs carried (OpenID4VCI 1.0 §7): each distinct one once, atomically,
 * inside the transaction that records the credentials — so a rejected or failed request does not burn
 * its nonce, and two requests racing with one nonce cannot both be issued (the loser's transaction
 * rolls back and it is answered `invalid_nonce`).
 */
export async function consumeNonces(
  trx: Kysely<unknown>,
  nonces: NonceStore,
  values: readonly string[],
): Promise<void> {
  for (const nonce of new Set(values))
    if (!(await nonces.consumeIn(trx as Kysely<IssuerTables>, nonce))) throw invalidNonce();
}
