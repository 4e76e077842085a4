export { ApiKeyStore } from './api-keys.js';
export { AuditTrail } from './audit.js';
export {
  ADMIN_SCOPE,
  AdminAuthenticator,
  type AdminAuthenticatorDeps,
  type AdminPrincipal,
  actorOf,
  adminPrincipal,
  holdsScope,
  OFFER_CLAIMS_SCOPE,
  OFFERS_SCOPE,
  requireAdmin,
} from './auth.js';
export { type AdminRouteDeps, registerAdminRoutes } from './routes.js';
export { type AdminTables, adminMigration } from './tables.js';
