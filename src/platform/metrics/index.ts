export { observePool, operationOf, type PoolStats, queryDuration } from './database.js';
export {
  METRICS_PATH,
  type MetricsSettings,
  metricsOnPublicListener,
  registerMetricsRoute,
  startMetricsListener,
} from './endpoint.js';
export { type Expiry, type ExpiryReader, observeExpiry } from './expiry.js';
export { httpDuration, httpRequests, methodLabel, protocolRefusals } from './http.js';
export { metricsRegistry } from './registry.js';
