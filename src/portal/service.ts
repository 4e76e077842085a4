import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../platform/config/index.js';
import { migrateToLatest, openDatabase } from '../platform/db/index.js';
import { trustedProxies } from '../platform/forwarded.js';
import { registerHealthRoutes, serviceReadiness } from '../platform/health/index.js';
import { KeyStore } from '../platform/keys/index.js';
import { signedClientAssertion } from '../platform/oauth/client-assertion.js';
import { originGuard } from '../platform/origin-check.js';
import { registerRateLimits } from '../platform/rate-limit.js';
import { createServer } from '../platform/server.js';
import type { ServiceFactory } from '../platform/service.js';
import { Catalogs } from './catalog/catalogs.js';
import { CLIENT_KEY_PURPOSE, type PortalContext, sendMessage } from './context.js';
import { UpstreamError } from './errors.js';
import { IssuerKeys } from './issuance/issuer-keys.js';
import { OffersTokens } from './issuance/offers-token.js';
import { AuthorizationServers } from './oidc/authorization-server.js';
import {
  badRequestMessage,
  busyMessage,
  crossSiteMessage,
  internalErrorMessage,
  pageNotFoundMessage,
  tooManyMessage,
  upstreamErrorMessage,
} from './pages/message.js';
import { portalUpstreamChecks } from './readiness.js';
import { assetsRoute } from './routes/assets.js';
import { bindRoutes, PENDING_TTL_MS } from './routes/bind.js';
import { callbackRoute } from './routes/callback.js';
import { credentialRoutes, RETRIEVAL_TTL_MS } from './routes/credential.js';
import { jwksRoute } from './routes/jwks.js';
import { landingRoute } from './routes/landing.js';
import { startRoute } from './routes/start.js';
import { verifyRoutes } from './routes/verify.js';
import { walletRoute } from './routes/wallet.js';
import { SessionCookie, sessionSecret } from './session-cookie.js';
import { CredentialStore } from './store/credential-store.js';
import { FlowStore } from './store/flow-store.js';
import { SealedStore } from './store/sealed-store.js';
import { type PortalTables, portalMigrations } from './store/tables.js';

/**
 * Strict CSP (scripts and styles from our origin only, no inline code, not framable) and the rest
 * of helmet's headers; no-referrer keeps codes and ids in our URLs away from other sites. Images
 * may be data: URIs (QR codes, photos in claims) and issuer logos, which metadata names by https
 * URL (http too in development).
 */
async function securityHeaders(app: FastifyInstance, config: Config): Promise<void> {
  const https = config.portal.publicUrl.startsWith('https://');
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https:', ...(config.mode === 'development' ? ['http:'] : [])],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https,
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** Pages answer in HTML, also when something fails: the person sees words and a way back. */
function pageErrors(app: FastifyInstance): void {
  // Overload (src/platform/overload.ts) answers pages with a page; it has set 503 and Retry-After.
  app.decorateReply('busyPage', function (this: FastifyReply) {
    return sendMessage(this.request, this, busyMessage);
  });
  app.setErrorHandler((error: FastifyError | UpstreamError, request, reply) => {
    if (error instanceof UpstreamError) {
      // Step and code only: details may name hosts, never tokens or personal data.
      request.log.warn({ step: error.step, code: error.code, detail: error.detail }, 'upstream failure');
      return sendMessage(request, reply, upstreamErrorMessage(error));
    }
    if ('validation' in error && error.validation) return sendMessage(request, reply, badRequestMessage);
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status === 429) return sendMessage(request, reply, tooManyMessage);
    if (status < 500) return sendMessage(request, reply, { ...badRequestMessage, status });
    request.log.error({ err: error }, 'request failed');
    return sendMessage(request, reply, internalErrorMessage);
  });
}

/**
 * The portal: a catalogue of the issuer's credentials and the backend that obtains one for a person
 * (OIDC authorization code flow with PKCE and private_key_jwt, then OpenID4VCI), verifies it and
 * offers it for download. All state is in its database, so instances are interchangeable.
 */
export const createPortalService: ServiceFactory = async ({ config, masterKey, lifecycle }) => {
  const database = openDatabase<PortalTables>(config.portal.database, { ...config.database, name: 'portal' });
  let app: FastifyInstance | undefined;
  try {
    await migrateToLatest(database.db as never, 'portal', portalMigrations);
    const keys = new KeyStore(database.db, masterKey);
    await keys.ensureActive(CLIENT_KEY_PURPOSE, 'ES256');

    const servers = new AuthorizationServers(
      config,
      signedClientAssertion(() => keys.ensureActive(CLIENT_KEY_PURPOSE, 'ES256')),
    );
    const ctx: PortalContext = {
      config,
      keys,
      catalogs: new Catalogs(config),
      servers,
      offersTokens: new OffersTokens(servers),
      issuerKeys: new IssuerKeys(config),
      flows: new FlowStore(database.db),
      credentials: new CredentialStore(database.db, masterKey),
      pending: new SealedStore(database.db, masterKey, 'portal_pending', PENDING_TTL_MS),
      retrievals: new SealedStore(database.db, masterKey, 'portal_retrievals', RETRIEVAL_TTL_MS),
      masterKey,
      cookie: new SessionCookie(config),
      redirectUri: `${config.portal.publicUrl}/callback`,
    };

    const server = createServer({
      service: 'portal',
      logLevel: config.log.level,
      trustProxy: trustedProxies(config.http.trustProxy),
      overload: config.overload,
      // Any other address: a page in the person's language with the way back, not protocol JSON.
      notFound: (request, reply) => sendMessage(request, reply, pageNotFoundMessage),
    });
    app = server;
    await registerRateLimits(server, 'portal', config.rateLimit, database.db as Kysely<unknown>);
    await securityHeaders(server, config);
    await server.register(cookie, { secret: sessionSecret(config, masterKey) });
    const readiness = serviceReadiness(database.db as never, () => keys.all(CLIENT_KEY_PURPOSE), lifecycle);
    for (const check of portalUpstreamChecks(config)) readiness.register(check);
    registerHealthRoutes(server, readiness);
    jwksRoute(server, ctx);
    assetsRoute(server, ctx);
    await server.register(async (pages) => {
      pageErrors(pages);
      // Forms (bind, verify upload, wallet …) accept posts from the portal's own pages only.
      pages.addHook(
        'onRequest',
        originGuard({
          trustedOrigins: [config.portal.publicUrl],
          refuse: (request, reply) => sendMessage(request, reply, crossSiteMessage),
        }),
      );
      await pages.register(formbody, { bodyLimit: 64 * 1024 });
      landingRoute(pages, ctx);
      startRoute(pages, ctx);
      callbackRoute(pages, ctx);
      bindRoutes(pages, ctx);
      credentialRoutes(pages, ctx);
      await verifyRoutes(pages, ctx);
      walletRoute(pages, ctx);
    });

    return {
      name: 'portal',
      app: server,
      readiness,
      async close() {
        await server.close();
        await database.close();
      },
    };
  } catch (error) {
    await app?.close();
    await database.close();
    throw error;
  }
};
