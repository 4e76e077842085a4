import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import type { TokenCheck } from '../../../src/issuer/access-guard.js';
import {
  AdminAuthenticator,
  ApiKeyStore,
  AuditTrail,
  requireAdmin,
} from '../../../src/issuer/admin/index.js';
import type { CredentialConfiguration } from '../../../src/issuer/configurations/index.js';
import { type IssuerTables, issuerMigrations } from '../../../src/issuer/database.js';
import {
  ISSUANCE_MIGRATION_SET,
  type IssuanceTables,
  issuanceMigrations,
} from '../../../src/issuer/issuance/database.js';
import type {
  CredentialConfigurationSource,
  IssuanceOutcome,
  IssuanceRequest,
  IssuanceService,
} from '../../../src/issuer/issuance/types.js';
import { registerNonceRoute } from '../../../src/issuer/nonce.js';
import { NonceStore } from '../../../src/issuer/nonce-store.js';
import { type ProtocolLayer, protocolTokenVerifier, registerProtocol } from '../../../src/issuer/protocol.js';
import type { Config } from '../../../src/platform/config/index.js';
import { migrateToLatest, openDatabase } from '../../../src/platform/db/index.js';
import { KeyStore, loadMasterKey } from '../../../src/platform/keys/index.js';
import { createServer } from '../../../src/platform/server.js';
import { testConfig } from '../../helpers/system.js';

/** The demo national ID configuration as the protocol layer sees it; `nationalities` is mandatory. */
export const NATIONAL_ID: CredentialConfiguration = {
  id: 'national_id_sd_jwt',
  format: 'dc+sd-jwt',
  scope: 'national_id',
  vct: 'urn:attesta:credential:national-id:1',
  display: [
    {
      name: 'National ID',
      locale: 'en',
      description: 'Proof of identity',
      background_color: '#12355b',
      text_color: '#ffffff',
    },
    { name: "Carte d'identité", locale: 'fr', description: "Preuve d'identité" },
  ],
  claims: [
    { path: ['given_name'], disclosable: true, display: [{ name: 'Given name', locale: 'en' }] },
    { path: ['family_name'], disclosable: true, display: [{ name: 'Family name', locale: 'en' }] },
    { path: ['address'], disclosable: true, display: [{ name: 'Address', locale: 'en' }] },
    { path: ['address', 'locality'], disclosable: true, display: [{ name: 'Locality', locale: 'en' }] },
    {
      path: ['nationalities'],
      disclosable: true,
      display: [{ name: 'Nationalities', locale: 'en' }],
      mandatory: true,
    } as CredentialConfiguration['claims'][number],
  ],
};

class Source implements CredentialConfigurationSource {
  constructor(private readonly list_: CredentialConfiguration[]) {}
  async get(id: string) {
    return this.list_.find((c) => c.id === id);
  }
  async list() {
    return this.list_;
  }
}

/**
 * A stand-in pipeline: one JWT per holder key with `cnf.jwk` and a random `jti` (so distinct), and
 * `pendingFor` calls answered "pending" first (deferred issuance). It records what it was asked.
 */
export class TestIssuance implements IssuanceService {
  pendingFor = 0;
  readonly requests: IssuanceRequest[] = [];
  private key?: { privateKey: CryptoKey; publicJwk: JWK };

  async issue(request: IssuanceRequest): Promise<IssuanceOutcome> {
    this.requests.push(request);
    if (this.pendingFor > 0) {
      this.pendingFor--;
      return { kind: 'pending', interval: 5, reference: 'ref-1' };
    }
    if (!this.key) {
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      this.key = { privateKey, publicJwk: await exportJWK(publicKey) };
    }
    const credentials = [];
    const credentialIds = [];
    for (const jwk of request.holderJwks) {
      const id = randomBytes(8).toString('hex');
      credentialIds.push(id);
      credentials.push(
        await new SignJWT({
          sub: request.subject.sub,
          ...(request.offeredClaims ?? {}),
          cnf: { jwk },
          vct: request.configuration.vct,
          jti: id,
        })
          .setProtectedHeader({ alg: 'ES256', typ: 'test+jwt' })
          .sign(this.key.privateKey),
      );
    }
    return { kind: 'issued', credentials, credentialIds };
  }
}

/** An admin API key (`atk_<id>_<secret>`), stored hashed as `attesta issuer api-key create` would. */
export const ADMIN_TOKEN = `atk_protocoltestkey0_${'k'.repeat(43)}`;

export interface ProtocolIssuer {
  url: string;
  config: Config;
  app: FastifyInstance;
  issuance: TestIssuance;
  protocol: ProtocolLayer;
  db: Kysely<unknown>;
  stop(): Promise<void>;
}

/**
 * The issuer's protocol layer on loopback with a real database (SQLite by default, or the given
 * URL), real keys and the real token checks, over a stand-in pipeline. Admin routes sit behind the
 * real admin authentication (src/issuer/admin) with a known API key, `ADMIN_TOKEN`.
 */
export async function startProtocolIssuer(
  options: {
    authorizationServers?: string[];
    protocol?: Partial<Config['issuer']['protocol']>;
    database?: string;
    prepared?: { config: Config; dataDir: string };
    /** Further access token checks of the shared guard (the grant-revocation seam). */
    tokenChecks?: readonly TokenCheck[];
  } = {},
): Promise<ProtocolIssuer> {
  const { config: base, dataDir } = options.prepared ?? (await testConfig({ services: ['issuer'] }));
  const config: Config = {
    ...base,
    issuer: {
      ...base.issuer,
      ...(options.authorizationServers ? { authorizationServers: options.authorizationServers } : {}),
      ...(options.database ? { database: options.database } : {}),
      protocol: { ...base.issuer.protocol, ...options.protocol },
    },
  };
  const masterKey = loadMasterKey(config.keys.masterKeyFile);
  const database = openDatabase<IssuerTables>(config.issuer.database);
  await migrateToLatest(database.db as Kysely<unknown>, 'issuer', issuerMigrations);
  const keys = new KeyStore(database.db, masterKey);
  const issuerKey = await keys.ensureActive('issuer-sd-jwt', 'ES256');
  const nonces = new NonceStore(database.db, config.issuer.nonceTtl, masterKey.derive('issuer c_nonce'));
  const tokens = protocolTokenVerifier(config, keys);
  const app = createServer({
    service: 'issuer',
    logLevel: config.log.level,
    validationErrorCode: 'invalid_credential_request',
  });
  registerNonceRoute(app, nonces);
  const issuance = new TestIssuance();
  const protocol = await registerProtocol(app, {
    config,
    masterKey,
    db: database.db as Kysely<unknown>,
    keys,
    issuerKey,
    nonces,
    tokens,
    tokenChecks: options.tokenChecks,
    configurations: new Source([NATIONAL_ID]),
    issuance,
  });
  await migrateToLatest(database.db as Kysely<unknown>, ISSUANCE_MIGRATION_SET, issuanceMigrations);
  const adminDb = database.db as unknown as Kysely<IssuanceTables>;
  await adminDb
    .insertInto('issuer_admin_api_keys')
    .values({
      id: 'protocoltestkey0',
      name: 'protocol tests',
      key_hash: createHash('sha256').update(ADMIN_TOKEN).digest('base64url'),
      created_at: Date.now(),
      revoked_at: null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const audit = new AuditTrail(adminDb);
  const admin = new AdminAuthenticator({ tokens, apiKeys: new ApiKeyStore(adminDb), audit });
  app.register(async (scope) => {
    scope.addHook('onRequest', requireAdmin(admin));
    protocol.adminRoutes(audit)(scope);
  });
  await app.listen({ host: config.issuer.host, port: config.issuer.port });
  return {
    url: config.issuer.publicUrl,
    config,
    app,
    issuance,
    protocol,
    db: database.db as Kysely<unknown>,
    async stop() {
      await app.close();
      await database.close();
      if (!options.prepared) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * startProtocolIssuer for the calling test file: started in a `beforeAll`, stopped in an `afterAll`.
 * The object is filled in when the hook runs, so read it in hooks and tests only.
 */
export function protocolIssuerForFile(options?: Parameters<typeof startProtocolIssuer>[0]): ProtocolIssuer {
  const issuer = {} as ProtocolIssuer;
  beforeAll(async () => {
    Object.assign(issuer, await startProtocolIssuer(options));
  });
  afterAll(async () => {
    await issuer.stop?.();
  });
  return issuer;
}
