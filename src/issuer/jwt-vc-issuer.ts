import type { FastifyInstance } from 'fastify';
import type { KeyStore } from '../platform/keys/index.js';

export const ISSUER_KEY_PURPOSE = 'issuer-sd-jwt';

/**
 * SD-JWT VC Issuer Metadata (draft-ietf-oauth-sd-jwt-vc §5): `{issuer, jwks}` at
 * `/.well-known/jwt-vc-issuer`, so a verifier finds the key named by a credential's `kid`. Read
 * from the database on each request: another instance may have added (rotated in) a key.
 */
export function registerJwtVcIssuerRoute(app: FastifyInstance, issuer: string, keys: KeyStore): void {
  app.get('/.well-known/jwt-vc-issuer', async (_request, reply) => {
    const jwks = await keys.publicJwks(ISSUER_KEY_PURPOSE);
    return reply
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'public, max-age=60')
      .send({ issuer, jwks });
  });
}
