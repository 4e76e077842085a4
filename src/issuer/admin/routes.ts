import type { FastifyInstance } from 'fastify';
import { guardAdminScope } from '../../platform/audit/admin-guard.js';
import type { RefusalCounter } from '../../platform/audit/refusals.js';
import type { AuditTrail } from './audit.js';
import { registerAuditRoute } from './audit-route.js';
import type { AdminAuthenticator } from './auth.js';
import { registerOpenApiRoute } from './openapi.js';

export interface AdminRouteDeps {
  auth: AdminAuthenticator;
  audit: AuditTrail;
  /** Refused calls, aggregated per minute, route, reason and source. */
  refusals: RefusalCounter;
  /** Calls per caller address per window, checked before any credential. */
  rateLimit: { max: number; windowSeconds: number };
  /** Further admin routes (configurations, status, ledger…), registered inside the guarded scope. */
  routes?: ((scope: FastifyInstance) => void)[];
  /** The issuer identifier, for the OpenAPI `servers` entry. */
  issuer?: string;
  /** OpenAPI paths of routes added by others (e.g. the offers API), merged into the description. */
  openApiPaths?: Record<string, unknown>;
}

/**
 * The admin API under /admin, in its own encapsulated scope whose hooks rate-limit, authenticate and
 * audit every call: no route registered here can answer anonymously, an allowed call leaves an audit
 * row, a refused one is counted (src/platform/audit).
 */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  app.register(async (scope) => {
    await guardAdminScope(scope, {
      name: 'admin',
      authenticate: deps.auth.authenticateRequest,
      recordAllowed: deps.auth.recordAllowed,
      refusals: deps.refusals,
      rateLimit: deps.rateLimit,
    });
    registerAuditRoute(scope, deps.audit, deps.refusals);
    registerOpenApiRoute(scope, deps.issuer ?? '/', deps.openApiPaths);
    for (const register of deps.routes ?? []) register(scope);
  });
}
