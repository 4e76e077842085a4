import type {
  CredentialFormatId,
  IssueInput,
  SignedCredential,
  SignerConfiguration,
} from '../../credentials/formats/index.js';

/**
 * The seam between the issuance pipeline (configuration → data provider → template → ledger/status)
 * and the formats. The pipeline renders a template into a `FormatDocument` of the configuration's
 * kind, reserves a status entry, and calls `signers.get(configuration.format).sign(...)` once per
 * holder key. What a format is lives in src/credentials/formats/; the issuer adds its keys.
 */
export type {
  ClaimPath,
  FormatConfigurationFields,
  FormatDocument,
  LdpProofSuite,
  MdocDocument,
  SdJwtDocument,
  SignedCredential,
  SignerConfiguration,
  StatusReference,
  W3cDataModel,
  W3cDocument,
} from '../../credentials/formats/index.js';
export { FormatError } from '../../credentials/formats/index.js';

/** Formats this issuer can sign: every identifier of src/credentials/formats/, aliases included. */
export type CredentialFormat = CredentialFormatId;

/** What a signer is given for one credential (the format's issue input). */
export type SignInput = IssueInput;

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
