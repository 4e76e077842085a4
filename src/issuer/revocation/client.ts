import type { FastifyInstance } from 'fastify';
import type { Config } from '../../platform/config/index.js';
import type { KeyStore } from '../../platform/keys/index.js';
import { signedClientAssertion } from '../../platform/oauth/client-assertion.js';
import { GrantRevocationFeed } from './feed.js';

/** The issuer's own key as an OAuth client of authz (private_key_jwt), apart from its signing keys. */
export const CLIENT_KEY_PURPOSE = 'issuer-client';

/** Where authz finds the public keys of that client (its `jwks_uri`). */
export const CLIENT_JWKS_PATH = '/.well-known/client-jwks.json';

/**
 * The revocation feed of the first authorization server (`issuer.revocationFeed`), or undefined when
 * no client id is configured. Its public client keys are served at CLIENT_JWKS_PATH.
 */
export async function setupRevocationFeed(
  app: FastifyInstance,
  config: Config,
  keys: KeyStore,
): Promise<GrantRevocationFeed | undefined> {
  const options = config.issuer.revocationFeed;
  const authorizationServer = config.issuer.authorizationServers[0];
  if (!options.clientId || !authorizationServer) return undefined;
  await keys.ensureActive(CLIENT_KEY_PURPOSE, 'ES256');
  app.get(CLIENT_JWKS_PATH, async (_request, reply) =>
    reply
      .header('content-type', 'application/jwk-set+json')
      .header('cache-control', 'public, max-age=60')
      .send(await keys.publicJwks(CLIENT_KEY_PURPOSE)),
  );
  return new GrantRevocationFeed({
    authorizationServer,
    clientId: options.clientId,
    clientAuth: signedClientAssertion(() => keys.ensureActive(CLIENT_KEY_PURPOSE, 'ES256')),
    intervalSeconds: options.intervalSeconds,
    staleAfterSeconds: options.staleAfterSeconds,
    insecure: config.mode === 'development' && new URL(authorizationServer).protocol === 'http:',
    log: app.log,
  });
}
