import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { CredentialConfiguration } from '../configurations/types.js';

/**
 * The seam between the OpenID4VCI protocol layer (endpoints, tokens, proofs, offers, deferred,
 * encryption) and the issuance pipeline (configuration → data provider → template → format signer
 * → ledger and status). The protocol layer has authenticated the caller and proven the holder keys;
 * the pipeline decides what the credentials say and signs them.
 */
export interface IssuanceRequest {
  configuration: CredentialConfiguration;
  /**
   * Who the credentials are about: the access token's subject and claims (for the authorization code
   * flow), or the subject an issuer-initiated offer named.
   */
  subject: { sub: string; claims: Record<string, unknown> };
  /** One credential per key, in this order; each bound to its own key. */
  holderJwks: JWK[];
  /** Claims fixed when an offer was created (pre-authorized code), used instead of a provider lookup. */
  offeredClaims?: Record<string, unknown>;
  /**
   * Set when the deferred endpoint asks again about a pending issuance: the `reference` the pending
   * outcome gave (absent if it gave none). Same configuration, subject and keys as the first call.
   */
  resume?: string;
  /**
   * Writes of the protocol layer that belong to the issuing transaction (consuming the proofs'
   * nonces, the notification id): run first in it, given the ledger ids; a throw rolls it all back
   * and nothing is issued.
   */
  alsoCommit?: (trx: Kysely<unknown>, credentialIds: readonly string[]) => Promise<void>;
}

export type IssuanceOutcome =
  | {
      kind: 'issued';
      /** As they go in the Credential Response: a string (JWT, SD-JWT, mdoc) or a JSON object (ldp_vc). */
      credentials: (string | Record<string, unknown>)[];
      /** Ledger ids of the issued credentials, in the same order (for notifications). */
      credentialIds: string[];
    }
  | {
      /** The data provider has no answer yet: the protocol layer starts deferred issuance. */
      kind: 'pending';
      /** Seconds the wallet should wait before asking again (the Deferred Response `interval`). */
      interval: number;
      /** Optional: what the pipeline needs to find this request again (kept with the transaction). */
      reference?: string;
    };

export interface IssuanceService {
  /** Throws ProtocolError (e.g. `invalid_credential_request`) when no credential can be made. */
  issue(request: IssuanceRequest): Promise<IssuanceOutcome>;
}

/** Where credential configurations come from (a static list today; the database later). */
export interface CredentialConfigurationSource {
  get(id: string): Promise<CredentialConfiguration | undefined>;
  list(): Promise<CredentialConfiguration[]>;
}
