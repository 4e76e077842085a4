export { ISSUANCE_MIGRATION_SET, type IssuanceTables, issuanceMigrations } from './database.js';
export { attributeAt, IssuancePipeline, type PipelineDeps } from './pipeline.js';
export { PipelineSigner } from './signing.js';
export type {
  CredentialConfigurationSource,
  IssuanceOutcome,
  IssuanceRequest,
  IssuanceService,
} from './types.js';
