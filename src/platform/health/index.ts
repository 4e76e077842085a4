export { databaseCheck, keysCheck, migrationsCheck, serviceReadiness, upstreamCheck } from './checks.js';
export {
  type CheckResult,
  Readiness,
  type ReadinessCheck,
  type ReadinessOptions,
  type ReadinessReport,
} from './readiness.js';
export { HEALTH_PATHS, registerHealthRoutes } from './routes.js';
