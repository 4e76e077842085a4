import type { Kysely } from 'kysely';
import { RefusalCounter } from '../platform/audit/refusals.js';
import { migrateToLatest, openDatabase } from '../platform/db/index.js';
import { trustedProxies } from '../platform/forwarded.js';
import { registerHealthRoutes, serviceReadiness } from '../platform/health/index.js';
import {
  certificateReadinessCheck,
  getProcessHsm,
  hsmReadinessCheck,
  KeyStore,
  scheduleKeyMaintenance,
} from '../platform/keys/index.js';
import { observeExpiry } from '../platform/metrics/index.js';
import { registerRateLimits } from '../platform/rate-limit.js';
import { createServer } from '../platform/server.js';
import type { ServiceFactory } from '../platform/service.js';
import { AdminAuthenticator, ApiKeyStore, AuditTrail, registerAdminRoutes } from './admin/index.js';
import { ADMIN_REFUSALS_TABLE } from './admin/tables.js';
import { type IssuerTables, issuerMigrations } from './database.js';
import { setupIssuerFormats } from './formats/index.js';
import { ActiveKeys, CurrentKey } from './formats/keys.js';
import { createIssuanceData } from './issuance/data.js';
import { ISSUANCE_MIGRATION_SET, type IssuanceTables, issuanceMigrations } from './issuance/database.js';
import { ISSUER_KEY_PURPOSE, registerJwtVcIssuerRoute } from './jwt-vc-issuer.js';
import { ISSUER_KEY_PURPOSES } from './key-purposes.js';
import { certificateExpiries } from './metrics.js';
import { registerNonceRoute } from './nonce.js';
import { NonceStore } from './nonce-store.js';
import { protocolTokenVerifier, registerProtocol } from './protocol.js';
import { setupRevocationFeed } from './revocation/client.js';

/**
 * The OpenID4VCI 1.0 credential issuer: metadata, nonce and credential endpoints, and the SD-JWT
 * VC issuer metadata. Accepts JWT access tokens from any configured authorization server.
 */
export const createIssuerService: ServiceFactory = async ({ config, masterKey, registry, lifecycle }) => {
  const database = openDatabase<IssuerTables>(config.issuer.database, { ...config.database, name: 'issuer' });
  try {
    await migrateToLatest(database.db as Kysely<unknown>, 'issuer', issuerMigrations);
    await migrateToLatest(database.db as Kysely<unknown>, ISSUANCE_MIGRATION_SET, issuanceMigrations);
    const data = database.db as unknown as Kysely<IssuanceTables>;
    const keys = new KeyStore(database.db, masterKey);
    // The status lists and the signed metadata follow rotations of the SD-JWT VC key (docs/keys.md).
    const activeKeys = new ActiveKeys(keys);
    const issuerKey = await CurrentKey.of(activeKeys, ISSUER_KEY_PURPOSE, 'ES256');
    // Every write of the issuing path is group-committed (src/platform/db/group-commit.ts).
    const nonces = new NonceStore(
      database.db,
      config.issuer.nonceTtl,
      masterKey.derive('issuer c_nonce'),
      Date.now,
      database.commit,
    );
    const tokens = protocolTokenVerifier(config, keys);
    const audit = new AuditTrail(data);
    // Authenticates every admin route; refused calls are counted, not written one by one.
    const admin = new AdminAuthenticator({ tokens, apiKeys: new ApiKeyStore(data), audit });
    const refusals = new RefusalCounter(database.db as Kysely<unknown>, ADMIN_REFUSALS_TABLE);
    // Configurations, data providers, templates, ledger and status lists (src/issuer/issuance/data.ts).
    // Format signers (SD-JWT VC, ldp_vc, jwt_vc_json, mso_mdoc), did:web and the mdoc IACA (src/issuer/formats).
    const formats = await setupIssuerFormats({
      db: database.db as Kysely<unknown>,
      keys,
      publicUrl: config.issuer.publicUrl,
      ...config.issuer.mdoc,
    });
    const issuanceData = await createIssuanceData({
      config,
      masterKey,
      registry,
      db: data,
      commit: database.commit,
      issuerKey,
      // Status list tokens carry the key's CA chain as `x5c` once one is imported (HAIP 1.0 §7).
      statusListSigner: () => activeKeys.forSigning(ISSUER_KEY_PURPOSE, 'ES256'),
      signers: formats.signers,
    });

    const app = createServer({
      service: 'issuer',
      logLevel: config.log.level,
      validationErrorCode: 'invalid_credential_request',
      trustProxy: trustedProxies(config.http.trustProxy),
      overload: config.overload,
    });
    await registerRateLimits(app, 'issuer', config.rateLimit, database.db as Kysely<unknown>);
    const readiness = serviceReadiness(
      database.db as Kysely<unknown>,
      () => keys.all(ISSUER_KEY_PURPOSE),
      lifecycle,
    );
    // The HSM token's state and the certificates of the signing keys (docs/keys.md).
    const hsm = getProcessHsm();
    if (hsm) readiness.register(hsmReadinessCheck(hsm.token));
    readiness.register(
      certificateReadinessCheck(
        keys,
        ISSUER_KEY_PURPOSES.map((p) => p.purpose),
      ),
    );
    registerHealthRoutes(app, readiness);
    registerJwtVcIssuerRoute(app, config.issuer.publicUrl, keys);
    registerNonceRoute(app, nonces);
    // Grants authz revoked, read every few seconds; tokens of them are refused (docs/security.md).
    const revocationFeed = await setupRevocationFeed(app, config, keys);
    // OpenID4VCI: metadata, token (pre-authorized), credential, deferred, notification, offers.
    const protocol = await registerProtocol(app, {
      config,
      masterKey,
      db: database.db as Kysely<unknown>,
      keys,
      issuerKey,
      nonces,
      commit: database.commit,
      tokens,
      tokenChecks: revocationFeed ? [revocationFeed.check] : [],
      configurations: issuanceData.configurations,
      issuance: issuanceData.issuance,
      formatMetadata: formats.signers.metadata,
    });
    // Rotation by key age and certificate-expiry warnings (keys.rotation, keys.certificateWarningDays).
    const maintenance = scheduleKeyMaintenance({
      keyStore: keys,
      purposes: ISSUER_KEY_PURPOSES,
      rotation: config.keys.rotation,
      certificateWarningDays: config.keys.certificateWarningDays,
      log: app.log,
    });
    await maintenance.run();
    issuanceData.registerPublic(app);
    formats.registerRoutes(app, issuanceData.configurations);
    registerAdminRoutes(app, {
      auth: admin,
      audit,
      refusals,
      rateLimit: config.admin.rateLimit,
      routes: [protocol.adminRoutes(audit), issuanceData.adminRoutes(audit)],
    });
    refusals.start((error) => app.log.warn({ err: error }, 'writing admin refusal counts failed'));
    // Not awaited: authz may start after the issuer; until the first read, tokens naming a grant wait (503).
    void revocationFeed?.start();
    const unobserve = observeExpiry('issuer', certificateExpiries(keys));
    return {
      name: 'issuer',
      app,
      readiness,
      async close() {
        unobserve();
        revocationFeed?.stop();
        maintenance.stop();
        await app.close();
        await refusals.stop();
        await issuanceData.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
};
