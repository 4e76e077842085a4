import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../platform/config/index.js';
import { type Commit, migrateToLatest, transactionPerUnit } from '../platform/db/index.js';
import type { KeyStore, MasterKey, SigningKey } from '../platform/keys/index.js';
import type { AccessGuard, TokenCheck } from './access-guard.js';
import { AccessTokenVerifier } from './access-token.js';
import type { AuditTrail } from './admin/audit.js';
import type { CredentialConfiguration } from './configurations/index.js';
import { type CredentialRouteDeps, registerCredentialRoute } from './credential/endpoint.js';
import { registerDeferredRoute } from './deferred/endpoint.js';
import { DeferredStore } from './deferred/store.js';
import { DpopVerifier } from './dpop/verify.js';
import { buildDraft13Metadata } from './draft13/metadata.js';
import { IssuerEncryption } from './encryption/index.js';
import { ActiveKeys, CurrentKey } from './formats/keys.js';
import type { CredentialConfigurationSource, IssuanceService } from './issuance/index.js';
import { ISSUER_KEY_PURPOSE } from './jwt-vc-issuer.js';
import {
  buildIssuerMetadata,
  cachedDocument,
  type MetadataContext,
  registerMetadataRoute,
} from './metadata.js';
import type { NonceStore } from './nonce-store.js';
import { registerNotificationRoute } from './notification/endpoint.js';
import { NotificationStore } from './notification/store.js';
import { OfferService } from './offers/create.js';
import { offerAdminRoute, registerOfferRoutes } from './offers/routes.js';
import { OfferStore } from './offers/store.js';
import { PROTOCOL_MIGRATION_SET, type ProtocolTables, protocolMigrations } from './protocol-database.js';
import { localTokenKeys, registerTokenEndpoint } from './token/endpoint.js';
import { TOKEN_KEY_PURPOSE } from './token/key-purpose.js';
import { CREDENTIAL_ISSUER_METADATA_PATH, DPOP_ALGS, DRAFT13_PATH, HAIP_ALGS } from './vocabulary.js';

/** The demo issuer logo named in the default `display` (a shield with a check mark). */
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Attesta">' +
  '<path d="M32 4 8 12v18c0 15 10 26 24 30 14-4 24-15 24-30V12z" fill="#12355b"/>' +
  '<path d="m20 32 8 8 16-16" stroke="#fff" stroke-width="6" fill="none"/></svg>';

/**
 * The access token check of every protected endpoint: tokens of the configured authorization
 * servers (JWKS discovered, or introspection for opaque tokens) and of the issuer's own token
 * endpoint (pre-authorized grant), whose keys are read from the database.
 */
export function protocolTokenVerifier(config: Config, keys: KeyStore): AccessTokenVerifier {
  return new AccessTokenVerifier(config.issuer.authorizationServers, config.issuer.publicUrl, {
    local: new Map([[config.issuer.publicUrl, localTokenKeys(keys)]]),
    introspection: config.issuer.protocol.introspection,
  });
}

export interface ProtocolDeps {
  config: Config;
  masterKey: MasterKey;
  db: Kysely<unknown>;
  keys: KeyStore;
  /** The SD-JWT VC signing key (its purpose also signs the metadata JWT, with its chain for `x5c`). */
  issuerKey: SigningKey;
  nonces: NonceStore;
  /** How the protocol layer's writes become durable (the database's group commit; a transaction each by default). */
  commit?: Commit;
  tokens: AccessTokenVerifier;
  /** Further checks on every access token at the credential, deferred and notification endpoints. */
  tokenChecks?: readonly TokenCheck[];
  configurations: CredentialConfigurationSource;
  issuance: IssuanceService;
  /** The format signer's members of a configuration's metadata entry (vct, doctype, signing algs…). */
  formatMetadata?: (configuration: CredentialConfiguration) => Record<string, unknown>;
}

export interface ProtocolLayer {
  offers: OfferService;
  /** Admin routes (`POST /admin/offers`, audited to `audit`) to register inside the authenticated admin scope. */
  adminRoutes: (audit: AuditTrail) => (scope: FastifyInstance) => void;
}

/**
 * Everything OpenID4VCI beyond the nonce endpoint: metadata (1.0, signed, draft 13, type metadata),
 * the credential, deferred and notification endpoints, offers and the pre-authorized token endpoint.
 */
export async function registerProtocol(app: FastifyInstance, deps: ProtocolDeps): Promise<ProtocolLayer> {
  await migrateToLatest(deps.db, PROTOCOL_MIGRATION_SET, protocolMigrations);
  const db = deps.db as Kysely<ProtocolTables>;
  const { config } = deps;
  const publicUrl = config.issuer.publicUrl;
  const options = config.issuer.protocol;
  const encryption = new IssuerEncryption(deps.masterKey, options.encryptionRequired);
  // HAIP mode (docs/standards.md): DPoP-bound tokens only, ES256 key and DPoP proofs only.
  const haip = config.haip;
  const dpop = new DpopVerifier(
    db,
    Date.now,
    haip ? HAIP_ALGS : DPOP_ALGS,
    deps.commit ?? transactionPerUnit(deps.db),
  );
  const offerStore = new OfferStore(db, deps.masterKey.derive('issuer-pre-authorized-code'));
  const attesters = options.trustedAttesters.length > 0 ? { keys: options.trustedAttesters } : undefined;
  const guard: AccessGuard = {
    tokens: deps.tokens,
    dpop,
    publicUrl,
    dpopRequired: haip,
    checks: deps.tokenChecks,
  };

  const context: MetadataContext = {
    publicUrl,
    authorizationServers: config.issuer.authorizationServers,
    display: config.issuer.display,
    signingAlg: deps.issuerKey.alg,
    encryption,
    haip,
    attestations: attesters !== undefined,
    formatMetadata: deps.formatMetadata,
  };
  // The SD-JWT VC key signs the metadata, with its CA chain for `x5c` once one is imported.
  const activeKeys = new ActiveKeys(deps.keys);
  const metadataSigner = () => activeKeys.forSigning(ISSUER_KEY_PURPOSE, 'ES256');
  registerMetadataRoute(
    app,
    [CREDENTIAL_ISSUER_METADATA_PATH],
    cachedDocument(deps.configurations, (list) => buildIssuerMetadata(context, list)),
    metadataSigner,
  );
  // Draft 13 appends the well-known suffix to the identifier; RFC 8615-style insertion is served too.
  registerMetadataRoute(
    app,
    [
      `${DRAFT13_PATH}${CREDENTIAL_ISSUER_METADATA_PATH}`,
      `${CREDENTIAL_ISSUER_METADATA_PATH}${DRAFT13_PATH}`,
    ],
    cachedDocument(deps.configurations, (list) => buildDraft13Metadata(context, list)),
    metadataSigner,
  );
  app.get('/logo.svg', async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml').send(LOGO_SVG),
  );

  // Follows rotations of the token key (`attesta keys rotate issuer --purpose issuer-token`).
  const tokenKey = await CurrentKey.of(new ActiveKeys(deps.keys), TOKEN_KEY_PURPOSE, 'ES256');
  registerTokenEndpoint(app, {
    publicUrl,
    keys: deps.keys,
    signingKey: tokenKey,
    offers: offerStore,
    nonces: deps.nonces,
    dpop,
    dpopRequired: haip,
    configurations: deps.configurations,
    accessTokenTtl: options.accessTokenTtl,
    nonceTtl: config.issuer.nonceTtl,
  });

  const notifications = new NotificationStore(db, Date.now, {
    ttlSeconds: options.notificationTtl,
    ...(deps.commit ? { commit: deps.commit } : {}),
  });
  const routeDeps: CredentialRouteDeps = {
    publicUrl,
    proofMaxAge: config.issuer.proofMaxAge,
    haip,
    nonceTtl: config.issuer.nonceTtl,
    configurations: deps.configurations,
    guard,
    nonces: deps.nonces,
    issuance: deps.issuance,
    encryption,
    deferred: new DeferredStore(db, options.deferredTtl),
    notifications,
    commit: deps.commit ?? transactionPerUnit(deps.db),
    offers: offerStore,
    attesters,
  };
  registerCredentialRoute(app, routeDeps);
  registerDeferredRoute(app, routeDeps);
  registerNotificationRoute(app, routeDeps);

  const offers = new OfferService({
    publicUrl,
    authorizationServer: config.issuer.authorizationServers[0] as string,
    store: offerStore,
    configurations: deps.configurations,
    defaultTtl: options.offerTtl,
    attempts: options.txCodeAttempts,
    haip,
  });
  registerOfferRoutes(app, offerStore, offers);
  return { offers, adminRoutes: (audit) => offerAdminRoute(offers, audit) };
}
