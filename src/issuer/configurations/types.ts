import type { FormatConfigurationFields } from '../formats/types.js';

export interface Display {
  name: string;
  locale: string;
}

/** A claim as the metadata describes it (OpenID4VCI 1.0 Appendix B) and whether SD-JWT hides it. */
export interface ClaimDefinition {
  /** Claim path in the credential (Appendix B claims path pointer, names only). */
  path: string[];
  /** Selectively disclosable (SD-JWT): hidden from a verifier unless the holder reveals it. */
  disclosable?: boolean;
  display: Display[];
}

export interface CredentialDisplay extends Display {
  description?: string;
  background_color?: string;
  text_color?: string;
}

/**
 * Where a configuration's data comes from (see src/issuer/providers). `key` names the access token
 * claim (dotted path) whose value looks the record up; default `sub`.
 */
export type ProviderConfig =
  | { type: 'registry'; key?: string }
  | { type: 'sql'; key?: string; database: string; query: string }
  | { type: 'csv'; key?: string; file: string; keyColumn: string }
  | {
      type: 'http';
      key?: string;
      url: string;
      timeoutMs?: number;
      retries?: number;
      headers?: Record<string, string>;
    };

/**
 * A declarative mapping from the provider's record to the credential (see src/issuer/templates): a
 * tree whose leaves are JSONata expressions. Its shape is the format's: SD-JWT claims, the W3C
 * `credentialSubject`, or mdoc namespaces → elements.
 */
export interface TemplateConfig {
  /** Named in errors, with the configuration and the failing path. */
  name: string;
  output: TemplateNode;
  /** Paths that must render to a value; a record missing one is refused. */
  required?: string[][];
}

export type TemplateNode = string | { [member: string]: TemplateNode };

/** One entry of `credential_configurations_supported`, with what the issuer needs to fill it. */
export interface CredentialConfiguration extends FormatConfigurationFields {
  id: string;
  /** OAuth scope that authorises issuance (also advertised in the metadata). */
  scope: string;
  display: CredentialDisplay[];
  claims: ClaimDefinition[];
  /** Default: the identity registry keyed by `sub`. */
  provider?: ProviderConfig;
  /** Default: the national ID mapping of the registry record. */
  template?: TemplateConfig;
  /** Credential validity in seconds (default: `issuer.credentialTtl`). */
  validity?: number;
  /**
   * A date claim of the rendered credential (dotted path, e.g. `valid_until` or
   * `org.iso.18013.5.1.expiry_date`) that caps the validity: the credential never outlives the record
   * (a policy, a licence); a date already past refuses issuance.
   */
  validUntilClaim?: string;
  /** Whether credentials carry a status list entry (default true). */
  status?: boolean;
  /**
   * W3C formats (Bitstring Status List): also a `suspension` entry beside the `revocation` one.
   * Default: yes for VCDM 2.0, no for VCDM 1.1, whose verifiers read one `credentialStatus` object.
   */
  suspension?: boolean;
  /** Rendered claim paths (dotted) whose keyed hashes the ledger keeps for search. */
  ledgerIndex?: string[];
}
