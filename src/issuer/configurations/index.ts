export { DEMO_CONFIGURATIONS_DIR, demoConfigurations, seedDemoConfigurations } from './demo.js';
export { ConfigurationSchema } from './schema.js';
export { CachedConfigurationSource, CONFIGURATION_RECHECK_MS } from './source.js';
export { ConfigurationConflict, ConfigurationStore, type StoredConfiguration } from './store.js';
export { type ConfigurationTables, configurationsMigration } from './tables.js';
export type {
  ClaimDefinition,
  CredentialConfiguration,
  CredentialDisplay,
  ProviderConfig,
  TemplateConfig,
  TemplateNode,
} from './types.js';
export { ConfigurationError, checkProviderData, uniqueKey, validateConfiguration } from './validate.js';
