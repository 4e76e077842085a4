import type { FastifyInstance } from 'fastify';
import type { AuditTrail } from './audit.js';
import { registerAuditRoute } from './audit-route.js';
import { type AdminAuthenticator, requireAdmin } from './auth.js';
import { registerOpenApiRoute } from './openapi.js';

export interface AdminRouteDeps {
  auth: AdminAuthenticator;
  audit: AuditTrail;
  /** Further admin routes (configurations, status, ledger…), registered inside the guarded scope. */
  routes?: ((scope: FastifyInstance) => void)[];
  /** The issuer identifier, for the OpenAPI `servers` entry. */
  issuer?: string;
  /** OpenAPI paths of routes added by others (e.g. the offers API), merged into the description. */
  openApiPaths?: Record<string, unknown>;
}

/**
 * The admin API under /admin, in its own encapsulated scope whose `onRequest` hook authenticates and
 * audits every call: no route registered here can answer anonymously.
 */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  app.register(async (scope) => {
    scope.addHook('onRequest', requireAdmin(deps.auth));
    // Admin answers are never cached by intermediaries.
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });
    registerAuditRoute(scope, deps.audit);
    registerOpenApiRoute(scope, deps.issuer ?? '/', deps.openApiPaths);
    for (const register of deps.routes ?? []) register(scope);
  });
}
