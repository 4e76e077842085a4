import type { FastifyInstance } from 'fastify';
import type { NonceStore } from './nonce-store.js';
import { NONCE_PATH } from './vocabulary.js';

/**
 * Nonce Endpoint (OpenID4VCI 1.0 §7), as its steps: no authentication and no request body (one sent
 * is ignored) → issue a fresh `c_nonce` (self-contained and MAC'd, no write: any instance accepts it, once) →
 * respond, never cached (§7.2).
 */
export function registerNonceRoute(app: FastifyInstance, nonces: NonceStore): void {
  app.register(async (scope) => {
    // Some wallets POST `content-type: application/json` with an empty body; Fastify would refuse it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 4096 }, (_request, _body, done) =>
      done(null, undefined),
    );
    scope.post(NONCE_PATH, async (_request, reply) => {
      const c_nonce = nonces.issue();
      return reply.header('cache-control', 'no-store').send({ c_nonce });
    });
  });
}
