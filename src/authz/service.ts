import { readFileSync } from 'node:fs';
import formbody from '@fastify/formbody';
import type { Kysely } from 'kysely';
import { RefusalCounter } from '../platform/audit/refusals.js';
import { migrateToLatest, openDatabase } from '../platform/db/index.js';
import { trustedProxies } from '../platform/forwarded.js';
import { registerHealthRoutes, serviceReadiness } from '../platform/health/index.js';
import {
  getProcessHsm,
  hsmReadinessCheck,
  type KeyTables,
  scheduleKeyMaintenance,
} from '../platform/keys/index.js';
import { protocolRefusals } from '../platform/metrics/index.js';
import { registerRateLimits } from '../platform/rate-limit.js';
import { createServer } from '../platform/server.js';
import type { ServiceFactory } from '../platform/service.js';
import { ADMIN_REFUSALS_TABLE, type AuditTables } from './admin/audit.js';
import { grantAdminRoutes } from './admin/grants.js';
import { adminRoutes } from './admin/routes.js';
import { ClientStore, type ClientTables } from './clients/store.js';
import { signInRoutes } from './interactions/index.js';
import { loadSigningKeys } from './keys/provider-keys.js';
import { watchSigningKeys } from './keys/reload.js';
import { AUTHZ_KEY_ALG, AUTHZ_KEY_PURPOSE, authzKeyStore, retentionSeconds } from './keys/rotation.js';
import { mountProvider, OAUTH_METADATA, PROVIDER_PATHS } from './mount.js';
import { crossSiteFormGuard } from './protocol/cross-site.js';
import { revocationFeedRoutes } from './protocol/grant-revocation.js';
import { IssuerStateStore, type IssuerStateTables } from './protocol/issuer-state.js';
import { createProvider, GRANT_TTL_SECONDS } from './provider.js';
import { Realms } from './realms.js';
import { setSecurityHeaders } from './security-headers.js';
import {
  type AuthzTables,
  adapterStatements,
  adapterWrites,
  kyselyAdapterFactory,
  purgeExpired,
} from './storage/adapter.js';
import { authzMigrations } from './storage/migrations.js';
import { RevokedGrants, type RevokedGrantTables } from './storage/revoked-grants.js';
import { STYLESHEET_PATH } from './views/html.js';

export { AUTHZ_KEY_PURPOSE } from './keys/rotation.js';

const PURGE_INTERVAL_MS = 5 * 60 * 1000;
/** A revoked grant stays listed this long past the access-token lifetime (clock skew of resource servers). */
const REVOKED_GRANT_MARGIN_SECONDS = 60;
const STYLESHEET = readFileSync(new URL('./views/authz.css', import.meta.url), 'utf8');

/**
 * Pages may only submit forms to authz and, through its redirects, to the clients' callbacks. The
 * clients live in the database, so the list is refreshed (after admin changes and periodically).
 */
function formActionSources(clients: ClientStore, log: (error: unknown) => void) {
  let sources = "'self'";
  const refresh = async () => {
    try {
      sources = ["'self'", ...(await clients.redirectOrigins())].join(' ');
    } catch (error) {
      log(error);
    }
  };
  return { refresh, directive: () => sources };
}

/**
 * authz: the OpenID Provider (oidc-provider in Fastify) with knowledge-based sign-in against the
 * identity registry, storage on Kysely, ES256 keys from the key store.
 */
export const createAuthzService: ServiceFactory = async ({ config, masterKey, registry, lifecycle }) => {
  const database = openDatabase<
    AuthzTables & KeyTables & ClientTables & AuditTables & IssuerStateTables & RevokedGrantTables
  >(config.authz.database, { ...config.database, name: 'authz' });
  // The KBI realms' own registries (CSV files are read here), closed with the service.
  let realms: Realms | undefined;
  let stopRefusals = async () => {};
  try {
    await migrateToLatest(database.db as Kysely<unknown>, 'authz', authzMigrations);
    // Tokens signed by a retired key stay verifiable until the longest of them has expired.
    const retention = retentionSeconds([config.authz.accessTokenTtl]);
    const keyStore = authzKeyStore(database.db, masterKey, retention);
    const clients = new ClientStore(database.db);
    await clients.seed(config.authz.clients);
    const signing = await loadSigningKeys(keyStore);

    const issuerStates = new IssuerStateStore(
      database.db,
      GRANT_TTL_SECONDS,
      Date.now,
      adapterWrites(database),
    );
    realms = await Realms.open(config, registry);
    // Listed while a token of the grant could live: resource servers poll the list (docs/security.md).
    const revoked = new RevokedGrants(
      database.db,
      config.authz.accessTokenTtl + REVOKED_GRANT_MARGIN_SECONDS,
    );
    const providerOptions = {
      config,
      realms,
      adapter: kyselyAdapterFactory(
        database.db,
        revoked,
        adapterWrites(database),
        adapterStatements(database),
      ),
      signingKeys: signing.providerKeys,
      cookieKeys: [masterKey.derive('authz cookie keys').toString('base64url')],
      dpopNonceSecret: masterKey.derive('authz dpop nonce'),
      issuerStates,
    };
    const provider = createProvider(providerOptions);
    // Koa believes X-Forwarded-* outright when `proxy` is set; requests from a peer that is not a
    // trusted proxy have them dropped first (src/platform/forwarded.ts), so this is safe.
    provider.proxy = trustedProxies(config.http.trustProxy).length > 0;

    const app = createServer({
      service: 'authz',
      logLevel: config.log.level,
      trustProxy: trustedProxies(config.http.trustProxy),
      overload: config.overload,
      mountedPaths: [...PROVIDER_PATHS, OAUTH_METADATA],
    });
    await registerRateLimits(
      app,
      'authz',
      config.rateLimit,
      database.db as Kysely<unknown>,
      adapterWrites(database),
    );
    const formAction = formActionSources(clients, (error) => app.log.warn({ err: error }, 'client origins'));
    await formAction.refresh();
    provider.on('server_error', (_ctx, error) => app.log.error({ err: error }, 'oidc-provider server error'));
    // A request that failed outside oidc-provider's own error handling — a write it answers after
    // (storage/request-writes.ts) — is answered 500 by Koa; logged here rather than by Koa to stderr.
    provider.on('error', (error) => app.log.error({ err: error }, 'oidc-provider request failed'));
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
        protocolRefusals.inc({ service: 'authz', route: event, error: code ?? 'unknown' });
        // A refused grant or token (token and userinfo endpoints) is at warn, for alerting.
        const level = event === 'grant.error' || event === 'userinfo.error' ? 'warn' : 'info';
        app.log[level]({ event, error: code, description }, 'request refused');
      });
    }

    // First, so that the headers also reach the responses oidc-provider writes itself.
    setSecurityHeaders(app, formAction.directive);
    // Before the provider is mounted, so its logout confirmation form is guarded too.
    app.addHook('onRequest', crossSiteFormGuard(config));
    const mounted = await mountProvider(app, provider);
    const keyReload = watchSigningKeys({
      keyStore,
      intervalSeconds: config.authz.keyReloadSeconds,
      current: signing,
      onError: (error) => app.log.warn({ err: error }, 'signing key reload failed'),
      async apply(keys) {
        const next = createProvider({ ...providerOptions, signingKeys: keys.providerKeys });
        next.proxy = provider.proxy;
        // The same event listeners (logging) as the first provider.
        for (const event of provider.eventNames()) {
          for (const listener of provider.listeners(event)) next.on(String(event), listener as never);
        }
        mounted.replace(next);
        app.log.info({ kid: keys.activeKid }, 'signing key reloaded');
      },
    });
    // Rotation by key age (keys.rotation.maxAgeDays): the next key is published, then signs.
    const maintenance = scheduleKeyMaintenance({
      keyStore,
      purposes: [{ purpose: AUTHZ_KEY_PURPOSE, alg: AUTHZ_KEY_ALG }],
      rotation: config.keys.rotation,
      log: app.log,
    });
    await maintenance.run();
    await app.register(formbody, { bodyLimit: 16 * 1024 });
    await app.register(signInRoutes, {
      provider,
      registry,
      realms,
      db: database.db,
      commit: adapterWrites(database),
      config,
      masterKey,
    });
    const refusals = new RefusalCounter(database.db as Kysely<unknown>, ADMIN_REFUSALS_TABLE);
    refusals.start((error) => app.log.warn({ err: error }, 'writing admin refusal counts failed'));
    stopRefusals = () => refusals.stop();
    await app.register(adminRoutes, {
      config,
      clients,
      keyStore,
      refusals,
      db: database.db,
      onClientsChanged: formAction.refresh,
      routes: [grantAdminRoutes(database.db, revoked)],
    });
    await app.register(revocationFeedRoutes, { config, keyStore, clients, revoked, refusals });
    app.get(STYLESHEET_PATH, async (_request, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
    );
    const readiness = serviceReadiness(
      database.db as Kysely<unknown>,
      () => keyStore.all(AUTHZ_KEY_PURPOSE),
      lifecycle,
    );
    // Its keys in the HSM: the token's state is part of readiness (docs/keys.md).
    const hsm = getProcessHsm();
    if (hsm?.purposes.has(AUTHZ_KEY_PURPOSE)) readiness.register(hsmReadinessCheck(hsm.token));
    registerHealthRoutes(app, readiness);

    const purge = setInterval(() => {
      purgeExpired(database.db).catch((error) => app.log.warn({ err: error }, 'purging expired rows failed'));
      issuerStates
        .purgeExpired()
        .catch((error) => app.log.warn({ err: error }, 'purging issuer states failed'));
      revoked.purgeExpired().catch((error) => app.log.warn({ err: error }, 'purging revoked grants failed'));
      // Clients changed through another instance or the CLI.
      void formAction.refresh();
    }, PURGE_INTERVAL_MS);
    purge.unref();

    return {
      name: 'authz',
      app,
      readiness,
      async close() {
        clearInterval(purge);
        keyReload.stop();
        maintenance.stop();
        await app.close();
        await stopRefusals();
        await realms?.close();
        await database.close();
      },
    };
  } catch (error) {
    await stopRefusals();
    await realms?.close();
    await database.close();
    throw error;
  }
};
