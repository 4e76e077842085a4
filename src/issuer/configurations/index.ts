import { nationalIdSdJwt } from './national-id.js';
import type { CredentialConfiguration } from './types.js';

export { claimsFor } from './claims.js';
export type { ClaimDefinition, CredentialConfiguration } from './types.js';

/** Every credential configuration this issuer offers, by id. Add a configuration here. */
export const credentialConfigurations: ReadonlyMap<string, CredentialConfiguration> = new Map(
  [nationalIdSdJwt].map((c) => [c.id, c]),
);
