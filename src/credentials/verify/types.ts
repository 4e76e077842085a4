import type { JWK } from 'jose';
import type { DidDocumentResolver } from '../did/index.js';
import type { CredentialFormatId } from '../formats/index.js';

/**
 * What verification may ask of its caller. The verify core and the formats do no I/O of their own:
 * key lookup and fetching are these callbacks, and the caller's trust policy lives in them (which
 * issuers' keys it fetches, which DIDs it resolves, which roots it trusts).
 */
export interface VerifyContext {
  /**
   * SD-JWT VC: the public keys of the issuer its `iss` names (e.g. from `/.well-known/jwt-vc-issuer`).
   * `refresh` asks again past a cache, once, when no key matched (a rotation); absent, no retry.
   */
  issuerJwks?: (issuer: string, options: { refresh: boolean }) => Promise<{ keys: JWK[] }>;
  /** Retry `issuerJwks` with `refresh` when no key matches. */
  refreshIssuerJwks?: boolean;
  /** W3C formats: DID documents of issuers (did:web); did:key and did:jwk need none. */
  resolveDid?: DidDocumentResolver;
  /** mso_mdoc: the trusted root certificates (IACA, DER). */
  trustedCertificates?: () => Promise<Uint8Array[]>;
  /** Extra JSON-LD contexts a verifier allows (URL → document). */
  contexts?: Record<string, object>;
  /** When given, the issuer must be this one (checked before any key is looked up). */
  expectedIssuer?: string;
  now?: Date;
}

/** A verified credential of any format, in the terms every caller needs. */
export interface VerifiedCredential {
  /** The identifier it was verified as (`vc+sd-jwt` when its `typ` is the older name). */
  format: CredentialFormatId;
  /** Issuer identifier: SD-JWT `iss`, W3C `issuer`; an mdoc names none (its chain says who signed). */
  issuer?: string;
  /** Its type: SD-JWT `vct`, mdoc doctype. */
  type?: string;
  /**
   * What it says: SD-JWT claims (with `vct`; without `iss`, times, `cnf`, `status`), the W3C
   * `credentialSubject`, mdoc namespaces → elements.
   */
  claims: Record<string, unknown>;
  /**
   * The claims a person reads: SD-JWT claims without the technical ones, the W3C subject without
   * its `id`, every mdoc element (values as decoded).
   */
  personalClaims: Record<string, unknown>;
  /** SD-JWT: names of the claims presented as disclosures (the holder may leave them out later). */
  disclosed: string[];
  validFrom?: Date;
  validUntil?: Date;
  /** The key the credential is bound to: `cnf.jwk`, the did:jwk subject, the MSO deviceKey. */
  holderJwk?: JWK;
  /** Status references as carried (SD-JWT/MSO `status`, W3C `credentialStatus`), for `checkStatus`. */
  status?: unknown;
}
