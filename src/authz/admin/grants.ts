import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { type AuthzTables, revokeGrant } from '../storage/adapter.js';
import type { RevokedGrants } from '../storage/revoked-grants.js';

/** oidc-provider's grant ids are nanoids (21 URL-safe characters); bounded, not assumed. */
const Params = T.Object({ grantId: T.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
type Params = Static<typeof Params>;

/**
 * `DELETE /admin/grants/{grantId}`: an administrator ends a grant (the `grant_id` claim of one of its
 * access tokens names it): its codes, refresh and opaque tokens are deleted and it is listed for the
 * revocation feed, so the issuer refuses its JWT access tokens within the feed's bound. Idempotent:
 * 204 whether or not the grant still existed (its tokens may outlive it).
 */
export function grantAdminRoutes(db: Kysely<AuthzTables>, revoked: RevokedGrants) {
  return (scope: FastifyInstance) => {
    scope.delete<{ Params: Params }>(
      '/admin/grants/:grantId',
      { schema: { params: Params } },
      async (request, reply) => {
        await revokeGrant(db, request.params.grantId, revoked);
        return reply.status(204).send();
      },
    );
  };
}
