import type { Kysely } from 'kysely';
import type { IssuerTables } from '../database.js';
import { badRequest } from '../errors.js';
import type { NonceStore } from '../nonce-store.js';

const invalidNonce = () => badRequest('invalid_nonce', 'c_nonce is unknown, expired or already used');

/** The distinct nonces of a request's proofs, each with the expiry its MAC vouches for. */
export type GenuineNonces = ReadonlyMap<string, number>;

/**
 * Refuses a request whose proofs carry a nonce this issuer did not make, or one that expired, before
 * any issuing work — without a database read (the nonce's MAC and expiry). A spent nonce is refused by
 * `consumeNonces` in the issuing transaction, which then rolls back: nothing of that request is kept.
 */
export function requireGenuineNonces(nonces: NonceStore, values: readonly string[]): GenuineNonces {
  const genuine = new Map<string, number>();
  for (const nonce of values) {
    if (genuine.has(nonce)) continue;
    const expiresAt = nonces.genuineExpiry(nonce);
    if (expiresAt === undefined) throw invalidNonce();
    genuine.set(nonce, expiresAt);
  }
  return genuine;
}

/**
 * Consumes the c_nonces the proofs carried (OpenID4VCI 1.0 §7): each distinct one once, atomically,
 * inside the transaction that records the credentials — so a rejected or failed request does not burn
 * its nonce, and two requests racing with one nonce cannot both be issued (the loser's transaction
 * rolls back and it is answered `invalid_nonce`). Their MACs were checked by `requireGenuineNonces`.
 */
export async function consumeNonces(
  trx: Kysely<unknown>,
  nonces: NonceStore,
  genuine: GenuineNonces,
): Promise<void> {
  for (const [nonce, expiresAt] of genuine)
    if (!(await nonces.spendIn(trx as Kysely<IssuerTables>, nonce, expiresAt))) throw invalidNonce();
}
