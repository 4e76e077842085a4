import type { JWK } from 'jose';

/**
 * The seam between the issuance pipeline (issue 5: configuration → data provider → template →
 * ledger/status) and the format signers (issue 6). The pipeline renders a template into a
 * `FormatDocument` of the configuration's kind, reserves a status entry, and calls
 * `signers.get(configuration.format).sign(...)` once per holder key. Signers pick their own issuer
 * keys (per format / suite, from the KeyStore) and never see the data provider.
 */

/** Formats this issuer can sign. `vc+sd-jwt` is the pre-draft-06 name of `dc+sd-jwt`, for older wallets. */
export type CredentialFormat = 'dc+sd-jwt' | 'vc+sd-jwt' | 'jwt_vc_json' | 'ldp_vc' | 'mso_mdoc';

/** Data Integrity cryptosuites (and the legacy suite) offered for `ldp_vc`. */
export type LdpProofSuite = 'eddsa-rdfc-2022' | 'ecdsa-rdfc-2019' | 'eddsa-jcs-2022' | 'Ed25519Signature2020';

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
  /** The credential claims (no `iss`, `vct`, `cnf`, `status`, times: the signer sets those). */
  claims: Record<string, unknown>;
  /**
   * Paths made selectively disclosable. A path to an object member or array element makes that
   * member/element disclosable; a parent listed too is disclosable as a whole (recursive disclosure).
   */
  disclosable: ClaimPath[];
}

/** Output of a W3C template (`ldp_vc` and `jwt_vc_json`). */
export interface W3cDocument {
  kind: 'w3c';
  dataModel: W3cDataModel;
  /** `@context` after the base context (which the signer puts first), e.g. a domain context URL. */
  contexts: string[];
  /** `type` after `VerifiableCredential` (which the signer puts first). */
  types: string[];
  /** The `credentialSubject`; the signer adds `id` (the holder's did:jwk) when it is absent. */
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

/** IETF Token Status List reference (`status.status_list`), for dc+sd-jwt and mso_mdoc. */
export interface TokenStatusReference {
  kind: 'token-status-list';
  idx: number;
  /** URI of the status list token. */
  uri: string;
}

/** W3C Bitstring Status List entry, for ldp_vc and jwt_vc_json (one per purpose). */
export interface BitstringStatusReference {
  kind: 'bitstring-status-list';
  /** `id` of the BitstringStatusListEntry (e.g. `<list url>#<index>`); derived when absent. */
  id?: string;
  statusPurpose: 'revocation' | 'suspension';
  /** Decimal string, as the data model requires. */
  statusListIndex: string;
  /** URL of the BitstringStatusListCredential. */
  statusListCredential: string;
}

export type StatusReference = TokenStatusReference | BitstringStatusReference;

/**
 * Per-format members of a credential configuration (proposed for issue 5 to adopt into
 * `src/issuer/configurations/types.ts`; every member optional so existing configurations stand).
 */
export interface FormatConfigurationFields {
  format: CredentialFormat;
  /** dc+sd-jwt / vc+sd-jwt: the credential type. */
  vct?: string;
  /**
   * dc+sd-jwt: the SD-JWT VC Type Metadata document for `vct`. When set, the signer adds
   * `vct#integrity` (SRI sha256 of its JSON text as served at `/type-metadata/<configuration id>`).
   */
  typeMetadata?: Record<string, unknown>;
  /** dc+sd-jwt: how many decoy digests to add per `_sd` array (RFC 9901 §4.2.5); default 0. */
  decoys?: number;
  /** ldp_vc / jwt_vc_json: data model version; default '2.0'. */
  dataModel?: W3cDataModel;
  /** ldp_vc: proof suite; default 'eddsa-rdfc-2022'. */
  proofSuite?: LdpProofSuite;
  /** jwt_vc_json: signing algorithm; default ES256 (SD-JWT VC and mdoc are signed with ES256). */
  signingAlg?: 'ES256' | 'EdDSA';
  /** ldp_vc / jwt_vc_json: OpenID4VCI `credential_definition` (`@context` for ldp_vc, `type`). */
  credentialDefinition?: { '@context'?: string[]; type: string[] };
  /** mso_mdoc: document type. */
  doctype?: string;
}

/** What a signer needs of a configuration: its id and the per-format members. */
export interface SignerConfiguration extends FormatConfigurationFields {
  id: string;
}

export interface SignInput<D extends FormatDocument = FormatDocument> {
  configuration: SignerConfiguration;
  document: D;
  /** The holder's proven public key (from the key proof): `cnf.jwk`, did:jwk subject id, mdoc deviceKey. */
  holderJwk: JWK;
  /** Start of validity (SD-JWT `iat`/`nbf`, VCDM `validFrom`/`issuanceDate`, MSO `validFrom`). */
  validFrom: Date;
  /** End of validity (SD-JWT `exp`, VCDM `validUntil`/`expirationDate`, MSO `validUntil`). */
  validUntil?: Date;
  /** Status entries: usually one token status reference, or one bitstring entry per purpose. */
  status?: StatusReference[];
}

/** The credential as it goes into the Credential Response: a string, or a JSON object for ldp_vc. */
export type SignedCredential = string | Record<string, unknown>;

export interface FormatSigner {
  readonly formats: readonly CredentialFormat[];
  /** Throws `FormatError` when the document does not fit the format (wrong kind, reserved claim…). */
  sign(input: SignInput): Promise<SignedCredential>;
  /**
   * The format-specific members of this configuration's entry in `credential_configurations_supported`
   * (OpenID4VCI 1.0 Appendix A): `vct`, `credential_definition`, `doctype`,
   * `credential_signing_alg_values_supported`, `cryptographic_binding_methods_supported`.
   */
  metadata(configuration: SignerConfiguration): Record<string, unknown>;
}

/** Signers by format; `get` throws for a format no signer handles. */
export interface FormatSignerRegistry {
  get(format: CredentialFormat): FormatSigner;
  formats(): CredentialFormat[];
}

/** A document that does not fit its format: a configuration or template error, not a client error. */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}
