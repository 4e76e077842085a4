import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { AccessToken } from '../access-token.js';
import type { CredentialConfiguration } from '../configurations/index.js';
import type { PendingIssuance } from '../deferred/store.js';
import { badRequest } from '../errors.js';
import type { IssuanceOutcome, IssuanceService } from '../issuance/index.js';
import type { OfferStore } from '../offers/store.js';

export interface IssueDeps {
  publicUrl: string;
  offers: OfferStore;
  issuance: IssuanceService;
}

/**
 * The claims an issuer-initiated offer fixed: for a token of our pre-authorized grant (`offer_id`),
 * or for a token of an authorization server that carries the offer's `issuer_state` (§5.1.3) — then
 * only if the offer names nobody or names the token's subject, so one person's offer cannot be
 * collected with another person's login.
 */
async function offeredClaims(
  token: AccessToken,
  deps: IssueDeps,
): Promise<Record<string, unknown> | undefined> {
  const offerId = token.payload.offer_id;
  if (token.issuer === deps.publicUrl && typeof offerId === 'string')
    return (await deps.offers.get(offerId))?.claims;
  const issuerState = token.payload.issuer_state;
  if (typeof issuerState !== 'string' || issuerState.length > 64) return undefined;
  const offer = await deps.offers.findByIssuerState(issuerState);
  if (!offer) throw badRequest('invalid_credential_request', 'the credential offer has expired');
  if (offer.subject !== undefined && offer.subject !== token.subject)
    throw badRequest('invalid_credential_request', 'the credential offer was made for someone else');
  return offer.claims;
}

/** What was asked of the pipeline (kept for the deferred endpoint), and what it answered. */
export interface Issuance {
  request: PendingIssuance;
  outcome: IssuanceOutcome;
}

/** Asks the pipeline again about a pending issuance (§9): the same request, with its `reference`. */
export function resume(
  issuance: IssuanceService,
  transaction: { configuration: CredentialConfiguration; pending: PendingIssuance; reference?: string },
): Promise<IssuanceOutcome> {
  const { configuration, pending, reference } = transaction;
  return issuance.issue({
    configuration,
    subject: pending.subject,
    holderJwks: pending.holderJwks,
    offeredClaims: pending.offeredClaims,
    resume: reference,
  });
}

/**
 * Asks the pipeline for one credential per proven key, about the token's subject — with the claims
 * of the offer the token came from, if any. The answer is the credentials or "pending".
 */
export async function issue(
  deps: IssueDeps,
  token: AccessToken,
  configuration: CredentialConfiguration,
  holderJwks: JWK[],
  draft13: boolean,
  alsoCommit?: (trx: Kysely<unknown>, credentialIds: readonly string[]) => Promise<void>,
): Promise<Issuance> {
  const request: PendingIssuance = {
    configurationId: configuration.id,
    subject: { sub: token.subject, claims: token.payload as Record<string, unknown> },
    holderJwks,
    offeredClaims: await offeredClaims(token, deps),
    draft13,
  };
  const outcome = await deps.issuance.issue({
    configuration,
    subject: request.subject,
    holderJwks,
    offeredClaims: request.offeredClaims,
    alsoCommit,
  });
  return { request, outcome };
}
