import type { IncomingMessage, ServerResponse } from 'node:http';
import middie from '@fastify/middie';
import type { FastifyInstance } from 'fastify';
import type { Provider } from 'oidc-provider';

/**
 * oidc-provider's endpoints (its default routes). Everything else — interaction pages, assets,
 * health, unknown paths — stays with Fastify, so 404s keep the service's own error shape.
 */
export const PROVIDER_PATHS = [
  '/.well-known/openid-configuration',
  '/auth',
  '/token', // with /token/introspection and /token/revocation
  '/jwks',
  '/me',
  '/request',
  '/session/end',
];

/** RFC 8414 metadata: oidc-provider serves it as OpenID discovery; OAuth clients look here first. */
export const OAUTH_METADATA = '/.well-known/oauth-authorization-server';

function isProviderPath(path: string): boolean {
  return PROVIDER_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

/**
 * Mounts oidc-provider (a Koa app) in Fastify through middie. middie runs in `onRequest`, before
 * Fastify reads the body, so the provider parses the raw request bodies itself.
 */
export async function mountProvider(
  app: FastifyInstance,
  provider: Provider,
): Promise<{ replace(next: Provider): void }> {
  await app.register(middie);
  let callback = provider.callback();
  app.use((req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
    const url = req.url ?? '/';
    const [path = '/', query] = url.split('?', 2);
    if (path === OAUTH_METADATA) {
      req.url = `/.well-known/openid-configuration${query === undefined ? '' : `?${query}`}`;
    } else if (!isProviderPath(path)) {
      next();
      return;
    }
    callback(req, res).catch(next);
  });
  // A new signing key (keys/reload.ts) swaps the provider; requests in flight finish on the old one.
  return {
    replace(next: Provider) {
      callback = next.callback();
    },
  };
}
