import type { FastifyInstance } from 'fastify';
import { type PortalContext, sendPage } from '../context.js';
import { landingPage } from '../pages/landing.js';

/** `GET /`: the credentials the issuer offers, from its metadata (cached briefly). */
export function landingRoute(app: FastifyInstance, ctx: PortalContext): void {
  app.get('/', async (_request, reply) => {
    const catalog = await ctx.catalog.get();
    return sendPage(reply, 200, landingPage(catalog));
  });
}
