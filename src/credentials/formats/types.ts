import type { JWK } from 'jose';
import type { SigningKey } from '../../platform/keys/index.js';
import type { ProofSuite } from '../data-integrity/suite-names.js';
import type { DidDocumentResolver } from '../did/index.js';
import type { StatusReference } from '../status/reference.js';
import type { CredentialFormatId } from './ids.js';

export type { StatusReference } from '../status/reference.js';

/**
 * What a credential format is, in one place: its identifiers, how a template's output is shaped
 * for it, which status list it refers to, its metadata members, and how a credential of it is
 * detected, issued and verified. `src/credentials/formats/index.ts` lists every format; nothing
 * outside `src/credentials/formats/` spells a format identifier.
 */
export interface CredentialFormat {
  /** The OpenID4VCI 1.0 `format` identifier (Appendix A). */
  readonly id: CredentialFormatId;
  /** Other identifiers that name the same format (e.g. the pre-1.0 name); they issue the same way. */
  readonly aliases: readonly CredentialFormatId[];
  /** The identifier OpenID4VCI draft 13 uses for it (its metadata and requests); absent: draft 13 has none. */
  readonly draft13Id?: CredentialFormatId;
  /** W3C formats: the data models its credentials follow, the first the default (`dataModelOf`). */
  readonly dataModels?: readonly W3cDataModel[];
  /**
   * How a verifier decides whether it trusts the signer: by the issuer the credential names (whose
   * keys or DID document it then looks up), or by a certificate chain to a root it trusts.
   */
  readonly trust: 'issuer' | 'certificate-chain';
  /** The shape of a template's output for this format. */
  readonly documentKind: FormatDocument['kind'];
  /** The status mechanism its credentials refer to. */
  readonly statusList: StatusReference['kind'];
  /** Media type of the credential as a file, and the file name extension the portal gives it. */
  readonly mediaType: string;
  readonly fileExtension: string;
  /**
   * The configuration's problems as this format sees them (required members, members of other
   * formats, suite/algorithm agreement), each naming the member; empty when it is fine.
   */
  configurationProblems(configuration: FormatConfigurationFields): string[];
  /** The key that signs a credential of this configuration: where verifiers find it, and its algorithm. */
  issuerKey(configuration: FormatConfigurationFields): IssuerKeyChoice;
  /**
   * The format members of the configuration's entry in `credential_configurations_supported`
   * (OpenID4VCI 1.0 Appendix A): `vct`, `credential_definition`, `doctype`,
   * `credential_signing_alg_values_supported`, `cryptographic_binding_methods_supported`.
   */
  metadata(configuration: FormatConfigurationFields): Record<string, unknown>;
  /** Whether a credential as it arrives (a response entry, a file, a QR payload) has this format's shape. */
  detect(credential: unknown): boolean;
  /**
   * The issuer the credential names, read before anything is verified, so a caller can apply its
   * trust policy first; undefined when the format names none (an mdoc: its certificate chain
   * does). Throws CredentialVerificationError `malformed credential`.
   */
  claimedIssuer(credential: unknown): string | undefined;
  /** Signs through the key interface. Throws `FormatError` when the document does not fit the format. */
  issue(input: IssueInput, issuer: IssuerKeyMaterial): Promise<SignedCredential>;
  /**
   * Verifies signature, structure and validity. Key lookup and fetching are the context's: the
   * format does no I/O of its own. Throws `CredentialVerificationError` with a short reason.
   */
  verify(credential: unknown, context: VerifyContext): Promise<VerifiedCredential>;
}

/**
 * How verifiers find the issuer's key: `issuer` through the issuer's own metadata
 * (`/.well-known/jwt-vc-issuer`), `did` through its did:web document, `x509` through a certificate
 * chain to a root (an IACA). The issuer holds one kind of key material per kind.
 */
export interface IssuerKeyChoice {
  kind: 'issuer' | 'did' | 'x509';
  alg: 'ES256' | 'EdDSA';
}

/** The issuer's key for one credential, with what identifies it to verifiers. */
export interface IssuerKeyMaterial {
  key: SigningKey;
  /** The credential issuer identifier (a URL): `iss` of an SD-JWT VC. */
  issuer: string;
  /** The issuer's did:web: `issuer` of a W3C credential; `key` is the method `${did}#${key.kid}`. */
  did: string;
  /**
   * The key's certificate chain (DER, leaf first, without the trust anchor): the mdoc x5chain for
   * `x509`; the SD-JWT VC `x5c` for `issuer` when a CA chain was imported for the key; else empty.
   */
  certificates: Uint8Array[];
}

/** Data Integrity cryptosuites (and the legacy suite) offered for `ldp_vc`. */
export type LdpProofSuite = ProofSuite;

/** W3C VC Data Model version: 2.0 (`validFrom`/`validUntil`) or 1.1 (`issuanceDate`/`expirationDate`). */
export type W3cDataModel = '2.0' | '1.1';

/**
 * A claim path (OpenID4VCI 1.0 Appendix B claims path pointer): names for object members, a number
 * for one array element, `null` for every element of an array. A dotted string (`address.locality`)
 * is accepted as shorthand for names only.
 */
export type ClaimPath = string | (string | number | null)[];

/** Output of an SD-JWT VC template. */
export interface SdJwtDocument {
  kind: 'sd-jwt';
  /** The credential claims (no `iss`, `vct`, `cnf`, `status`, times: the format sets those). */
  claims: Record<string, unknown>;
  /**
   * Paths made selectively disclosable. A path to an object member or array element makes that
   * member/element disclosable; a parent listed too is disclosable as a whole (recursive disclosure).
   */
  disclosable: ClaimPath[];
}

/** Output of a W3C template (the W3C formats). */
export interface W3cDocument {
  kind: 'w3c';
  dataModel: W3cDataModel;
  /** `@context` after the base context (which the format puts first), e.g. a domain context URL. */
  contexts: string[];
  /** `type` after `VerifiableCredential` (which the format puts first). */
  types: string[];
  /** The `credentialSubject`; the format adds `id` (the holder's did:jwk) when it is absent. */
  credentialSubject: Record<string, unknown>;
  /** Optional credential `id` (e.g. `urn:uuid:…` from the ledger). */
  id?: string;
  name?: string;
  description?: string;
  /** Extra top-level members (e.g. `credentialSchema`, `evidence`), copied as they are. */
  extra?: Record<string, unknown>;
}

/** Output of an mdoc template. */
export interface MdocDocument {
  kind: 'mdoc';
  /** e.g. `org.iso.18013.5.1.mDL`. */
  docType: string;
  /** Namespace → element identifier → element value (dates as `YYYY-MM-DD` strings or Date). */
  namespaces: Record<string, Record<string, unknown>>;
}

export type FormatDocument = SdJwtDocument | W3cDocument | MdocDocument;

/** Per-format members of a credential configuration (every member optional; each format says which it needs). */
export interface FormatConfigurationFields {
  format: CredentialFormatId;
  /** SD-JWT VC: the credential type. */
  vct?: string;
  /**
   * SD-JWT VC: the Type Metadata document for `vct`. When set, the credential carries
   * `vct#integrity` (SRI sha256 of its JSON text as served at `/type-metadata/<configuration id>`).
   */
  typeMetadata?: Record<string, unknown>;
  /** SD-JWT VC: how many decoy digests to add per `_sd` array (RFC 9901 §4.2.5); default 0. */
  decoys?: number;
  /** W3C formats: data model version; default the format's first (`dataModelOf`). */
  dataModel?: W3cDataModel;
  /** ldp_vc: proof suite; default 'eddsa-rdfc-2022'. */
  proofSuite?: LdpProofSuite;
  /** jwt_vc_json: signing algorithm; default ES256 (SD-JWT VC and mdoc are signed with ES256). */
  signingAlg?: 'ES256' | 'EdDSA';
  /** W3C formats: OpenID4VCI `credential_definition` (`@context` for ldp_vc, `type`). */
  credentialDefinition?: { '@context'?: string[]; type: string[] };
  /** mso_mdoc: document type. */
  doctype?: string;
}

/** What issuing needs of a configuration: its id and the per-format members. */
export interface SignerConfiguration extends FormatConfigurationFields {
  id: string;
}

export interface IssueInput<D extends FormatDocument = FormatDocument> {
  configuration: SignerConfiguration;
  document: D;
  /** The holder's proven public key (from the key proof): `cnf.jwk`, did:jwk subject id, mdoc deviceKey. */
  holderJwk: JWK;
  /** Start of validity (SD-JWT `iat`, VCDM `validFrom`/`issuanceDate`, MSO `validFrom`). */
  validFrom: Date;
  /** End of validity (SD-JWT `exp`, VCDM `validUntil`/`expirationDate`, MSO `validUntil`). */
  validUntil?: Date;
  /** Status entries: usually one token status reference, or one bitstring entry per purpose. */
  status?: StatusReference[];
  /** SD-JWT VC §6.5 `vct#integrity` of the configuration's Type Metadata, when it has one. */
  vctIntegrity?: string;
}

/** The credential as it goes into the Credential Response: a string, or a JSON object for ldp_vc. */
export type SignedCredential = string | Record<string, unknown>;

/** A document that does not fit its format: a configuration or template error, not a client error. */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

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
