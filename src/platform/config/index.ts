export { ConfigError, type LoadOptions, loadConfig } from './load.js';
export type { AuthzClientConfig, Config, RateLimitConfig, ServiceName } from './schema.js';
