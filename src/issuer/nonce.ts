import type { FastifyInstance } from 'fastify';
import type { NonceStore } from './nonce-store.js';

/**
 * Nonce Endpoint (OpenID4VCI 1.0 §7): a fresh `c_nonce` for key proofs. No authentication;
 * the response must not be cached (§7.2).
 */
export function registerNonceRoute(app: FastifyInstance, nonces: NonceStore): void {
  app.post('/nonce', async (_request, reply) => {
    const c_nonce = await nonces.issue();
    return reply.header('cache-control', 'no-store').send({ c_nonce });
  });
}
