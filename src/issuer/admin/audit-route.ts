import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RefusalCounter } from '../../platform/audit/refusals.js';
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
const RefusalQuery = T.Object(
  {
    limit: T.Optional(T.String({ pattern: '^[1-9][0-9]{0,2}$' })),
    before: T.Optional(T.String({ pattern: '^[0-9]{1,15}$' })),
  },
  { additionalProperties: false },
);

/**
 * GET /admin/audit: the audit trail (allowed calls and changes), newest first, paged by `before`
 * (epoch ms). GET /admin/audit/refusals: refused calls, counted per minute, route, reason and source.
 */
export function registerAuditRoute(app: FastifyInstance, audit: AuditTrail, refusals: RefusalCounter): void {
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
  app.get<{ Querystring: Static<typeof RefusalQuery> }>(
    '/admin/audit/refusals',
    { schema: { querystring: RefusalQuery } },
    async (request) => {
      const { limit, before } = request.query;
      const rows = await refusals.list({
        limit: Math.min(Number(limit ?? 100), 500),
        before: before === undefined ? undefined : Number(before),
      });
      return { refusals: rows };
    },
  );
}
