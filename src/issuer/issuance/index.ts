export { RegistryIssuance } from './registry-issuance.js';
export { StaticConfigurationSource } from './static-configurations.js';
export type {
  CredentialConfigurationSource,
  IssuanceOutcome,
  IssuanceRequest,
  IssuanceService,
} from './types.js';
