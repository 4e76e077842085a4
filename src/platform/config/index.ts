export { ConfigError, type LoadOptions, loadConfig } from './load.js';
export type { AuthzClientConfig, Config, ServiceName } from './schema.js';
