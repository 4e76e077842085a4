import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AuditTrail } from './audit.js';

const Query = T.Object(
  {
    // Query strings are not coerced (server option), so numbers arrive as digit strings.
    limit: T.Optional(T.String({ pattern: '^[1-9][0-9]{0,2}$' })),
    before: T.Optional(T.String({ pattern: '^[0-9]{1,15}$' })),
    actor: T.Optional(T.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);

/** GET /admin/audit: the audit trail, newest first, paged by `before` (epoch ms). */
export function registerAuditRoute(app: FastifyInstance, audit: AuditTrail): void {
  app.get<{ Querystring: Static<typeof Query> }>(
    '/admin/audit',
    { schema: { querystring: Query } },
    async (request) => {
      const { limit, before, actor } = request.query;
      const rows = await audit.list({
        limit: Math.min(Number(limit ?? 100), 500),
        before: before === undefined ? undefined : Number(before),
        actor,
      });
      return { entries: rows };
    },
  );
}
