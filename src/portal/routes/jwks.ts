import type { FastifyInstance } from 'fastify';
import { CLIENT_KEY_PURPOSE, type PortalContext } from '../context.js';

/**
 * The portal's public client keys (the `jwks_uri` registered at the authorization server), which
 * verifies our private_key_jwt assertions with them. Retired keys stay listed until removed.
 */
export function jwksRoute(app: FastifyInstance, ctx: PortalContext): void {
  app.get('/.well-known/jwks.json', async (_request, reply) => {
    const jwks = await ctx.keys.publicJwks(CLIENT_KEY_PURPOSE);
    return reply
      .header('content-type', 'application/jwk-set+json')
      .header('cache-control', 'public, max-age=60')
      .send(jwks);
  });
}
