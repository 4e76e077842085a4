import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type PortalContext, sendPage } from '../context.js';
import { pageContext } from '../i18n/index.js';
import { landingPage } from '../pages/landing.js';

const Query = T.Object({
  q: T.Optional(T.String({ maxLength: 100 })),
  lang: T.Optional(T.String({ maxLength: 10 })),
});

/**
 * `GET /[?q=…]`: the credentials of every configured issuer, from their metadata (cached briefly),
 * filtered by the search words. When no issuer answers, the error page of the first one.
 */
export function landingRoute(app: FastifyInstance, ctx: PortalContext): void {
  app.get<{ Querystring: { q?: string } }>(
    '/',
    { schema: { querystring: Query } },
    async (request, reply) => {
      const entries = await ctx.catalogs.all();
      const firstError = entries.find((e) => e.error)?.error;
      if (firstError && entries.every((e) => e.error)) throw firstError;
      const pc = pageContext(request, reply);
      return sendPage(reply, 200, landingPage(pc, entries, (request.query.q ?? '').trim()));
    },
  );
}
