import type { Identity } from '../../platform/registry/index.js';

export interface Display {
  name: string;
  locale: string;
}

/** Where a claim's value comes from: a field of the registry `Identity`, or a constant. */
export type ClaimSource =
  | { identity: 'givenName' | 'familyName' | 'birthDate' | 'gender' | 'email' | 'phone' | 'nationality' }
  | { identity: `address.${keyof NonNullable<Identity['address']>}` }
  | { constant: string | number | boolean };

export interface ClaimDefinition {
  /** Claim path in the credential (OpenID4VCI 1.0 Appendix B claims path pointer, names only). */
  path: string[];
  /** Absent for a container (e.g. `address`), whose members are listed on their own. */
  source?: ClaimSource;
  /** Wrap the value in an array (e.g. one nationality → `nationalities`). */
  asArray?: boolean;
  /** Selectively disclosable (SD-JWT): hidden from a verifier unless the holder reveals it. */
  disclosable: boolean;
  display: Display[];
}

export interface CredentialDisplay extends Display {
  description: string;
  background_color?: string;
  text_color?: string;
}

/** One entry of `credential_configurations_supported`, with what the issuer needs to fill it. */
export interface CredentialConfiguration {
  id: string;
  format: 'dc+sd-jwt';
  /** OAuth scope that authorises issuance (also advertised in the metadata). */
  scope: string;
  vct: string;
  display: CredentialDisplay[];
  claims: ClaimDefinition[];
}
