import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { IssuerEntry } from '../catalog/catalogs.js';
import { type PortalContext, sendPage } from '../context.js';
import { pageContext } from '../i18n/index.js';
import { landingPage } from '../pages/landing.js';

const Query = T.Object({
  q: T.Optional(T.String({ maxLength: 100 })),
  lang: T.Optional(T.String({ maxLength: 10 })),
});

/**
 * Whether the portal can use the issuer's authorization server: it runs the authorization code
 * grant, so a server whose metadata lists grant types without it (RFC 8414 §2; absent means
 * `authorization_code` and `implicit`) offers nothing the portal can obtain — e.g. an issuer that
 * only does pre-authorized codes for wallets. A server that cannot be reached now is not judged
 * here: starting a flow would show its error page.
 */
async function withUsableGrants(ctx: PortalContext, entry: IssuerEntry): Promise<IssuerEntry> {
  if (!entry.catalog) return entry;
  try {
    const server = await ctx.servers.configuration(entry.catalog.authorizationServer);
    const grants = server.serverMetadata().grant_types_supported;
    if (Array.isArray(grants) && !grants.includes('authorization_code')) {
      return { ...entry, catalog: { ...entry.catalog, types: [] } };
    }
  } catch {
    // judged when a flow starts
  }
  return entry;
}

/**
 * `GET /[?q=…]`: the credentials of every configured issuer, from their metadata (cached briefly),
 * filtered by the search words. When no issuer answers, the error page of the first one.
 */
export function landingRoute(app: FastifyInstance, ctx: PortalContext): void {
  app.get<{ Querystring: { q?: string } }>(
    '/',
    { schema: { querystring: Query } },
    async (request, reply) => {
      const entries = await Promise.all((await ctx.catalogs.all()).map((e) => withUsableGrants(ctx, e)));
      const firstError = entries.find((e) => e.error)?.error;
      if (firstError && entries.every((e) => e.error)) throw firstError;
      const pc = pageContext(request, reply);
      return sendPage(reply, 200, landingPage(pc, entries, (request.query.q ?? '').trim()));
    },
  );
}
