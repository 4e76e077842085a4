import { readFileSync } from 'node:fs';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import type { Kysely } from 'kysely';
import type { Config } from '../platform/config/index.js';
import { migrateToLatest, openDatabase } from '../platform/db/index.js';
import { KeyStore, type KeyTables } from '../platform/keys/index.js';
import { createServer } from '../platform/server.js';
import type { ServiceFactory } from '../platform/service.js';
import { interactionRoutes } from './interactions/routes.js';
import { mountProvider } from './mount.js';
import { createProvider } from './provider.js';
import { type AuthzTables, kyselyAdapterFactory, purgeExpired } from './storage/adapter.js';
import { authzMigrations } from './storage/migrations.js';
import { STYLESHEET_PATH } from './views/html.js';

/** The purpose under which authz's signing keys live in its key store. */
export const AUTHZ_KEY_PURPOSE = 'authz';
const PURGE_INTERVAL_MS = 5 * 60 * 1000;
const STYLESHEET = readFileSync(new URL('./views/authz.css', import.meta.url), 'utf8');

/** Pages may only submit forms to authz and, through its redirects, to the clients' callbacks. */
function formActionSources(config: Config): string[] {
  const origins = config.authz.clients.flatMap((c) => c.redirect_uris.map((uri) => new URL(uri).origin));
  return ["'self'", ...new Set(origins)];
}

/**
 * authz: the OpenID Provider (oidc-provider in Fastify) with knowledge-based sign-in against the
 * identity registry, storage on Kysely, ES256 keys from the key store.
 */
export const createAuthzService: ServiceFactory = async ({ config, masterKey, registry }) => {
  const database = openDatabase<AuthzTables & KeyTables>(config.authz.database);
  try {
    await migrateToLatest(database.db as Kysely<unknown>, 'authz', authzMigrations);
    const keyStore = new KeyStore(database.db, masterKey);
    const active = await keyStore.ensureActive(AUTHZ_KEY_PURPOSE, 'ES256');
    const published = await keyStore.all(AUTHZ_KEY_PURPOSE);
    const ordered = [
      ...published.filter((k) => k.kid === active.kid),
      ...published.filter((k) => k.kid !== active.kid),
    ];

    const provider = createProvider({
      config,
      registry,
      adapter: kyselyAdapterFactory(database.db),
      signingKeys: ordered.map((k) => k.exportPrivateJwk()),
      cookieKeys: [masterKey.derive('authz cookie keys').toString('base64url')],
    });

    const app = createServer({ service: 'authz', logLevel: config.log.level });
    provider.on('server_error', (_ctx, error) => app.log.error({ err: error }, 'oidc-provider server error'));
    // Protocol errors are logged by code and oidc-provider's fixed description only (no request data).
    for (const event of [
      'authorization.error',
      'grant.error',
      'userinfo.error',
      'pushed_authorization_request.error',
    ]) {
      provider.on(event, (_ctx, error) => {
        const { error: code, error_description: description } = error as {
          error?: string;
          error_description?: string;
        };
        app.log.info({ event, error: code, description }, 'request refused');
      });
    }

    // helmet first: its onRequest hook sets headers on the raw response, so they also reach the
    // responses oidc-provider writes itself.
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          // Explicit so that oidc-provider's form_post page can add the hash of its one script.
          scriptSrc: ["'none'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'"],
          formAction: formActionSources(config),
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
    });
    await mountProvider(app, provider);
    await app.register(formbody, { bodyLimit: 16 * 1024 });
    await app.register(interactionRoutes, { provider, registry, db: database.db, config });
    app.get(STYLESHEET_PATH, async (_request, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
    );
    app.get('/health', async () => ({ status: 'ok' }));

    const purge = setInterval(() => {
      purgeExpired(database.db).catch((error) => app.log.warn({ err: error }, 'purging expired rows failed'));
    }, PURGE_INTERVAL_MS);
    purge.unref();

    return {
      name: 'authz',
      app,
      async close() {
        clearInterval(purge);
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
};
