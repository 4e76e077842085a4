import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { didWebFromUrl } from '../../credentials/did/index.js';
import { ldpSigning } from '../../credentials/formats/ldp-vc/on-first-use.js';
import type { Config } from '../../platform/config/index.js';
import type { Commit } from '../../platform/db/index.js';
import { KeyStore, type MasterKey, type SigningKey } from '../../platform/keys/index.js';
import type { IdentityRegistry } from '../../platform/registry/index.js';
import type { AuditTrail } from '../admin/audit.js';
import { registerIssuanceAdminRoutes } from '../admin/issuance-routes.js';
import {
  CachedConfigurationSource,
  ConfigurationStore,
  seedDemoConfigurations,
} from '../configurations/index.js';
import type { FormatSignerRegistry } from '../formats/types.js';
import { Ledger } from '../ledger/index.js';
import { DataProviders } from '../providers/index.js';
import {
  registerStatusListRoutes,
  STATUS_PERMUTATION_KEY,
  StatusAllocator,
  StatusChanger,
  StatusListPublisher,
  type StatusListSigner,
  StatusPermutations,
} from '../status/index.js';
import type { IssuanceTables } from './database.js';
import { IssuancePipeline } from './pipeline.js';
import { PipelineSigner } from './signing.js';

export interface IssuanceDataDeps {
  config: Config;
  masterKey: MasterKey;
  registry: IdentityRegistry;
  /** The issuer database, migrated with `issuanceMigrations`. */
  db: Kysely<IssuanceTables>;
  /** How the issuing transaction becomes durable (the database's group commit). */
  commit?: Commit;
  /** Signs the Token Status Lists. */
  issuerKey: SigningKey;
  /** The key signing Token Status List tokens with its certificate chain for `x5c` (default: `issuerKey`, no `x5c`). */
  statusListSigner?: StatusListSigner;
  /** The format signers (src/issuer/formats). */
  signers: FormatSignerRegistry;
  log?: { error(object: object, message: string): void };
}

export interface IssuanceData {
  configurations: CachedConfigurationSource;
  store: ConfigurationStore;
  issuance: IssuancePipeline;
  ledger: Ledger;
  status: StatusChanger;
  /** Public routes: the status lists. */
  registerPublic(app: FastifyInstance): void;
  /** Admin routes (configurations, dry-run, ledger, status), for the guarded admin scope. */
  adminRoutes(audit: AuditTrail): (scope: FastifyInstance) => void;
  close(): Promise<void>;
}

/**
 * Everything on the data side of issuance, built once per service: configurations from the
 * database (demo ones seeded when `registry.seedDemo`), data providers, the pipeline, the ledger and
 * the status lists.
 */
export async function createIssuanceData(deps: IssuanceDataDeps): Promise<IssuanceData> {
  const { config, db } = deps;
  const store = new ConfigurationStore(db);
  if (config.registry.seedDemo) await seedDemoConfigurations(store, config.issuer.publicUrl);
  const configurations = new CachedConfigurationSource(store);
  const providers = new DataProviders(deps.registry);
  const ledger = new Ledger(deps.masterKey.derive('issuer ledger hmac'));
  const permutations = new StatusPermutations(deps.masterKey.derive(STATUS_PERMUTATION_KEY));
  const allocator = new StatusAllocator(db, permutations, { commit: deps.commit });
  const status = new StatusChanger(db, permutations);
  const publisher = new StatusListPublisher(db, deps.issuerKey, config.issuer.publicUrl, {
    ldpSigner: bitstringListSigner(db, deps.masterKey, config.issuer.publicUrl),
    w3cIssuer: didWebFromUrl(config.issuer.publicUrl),
    tokenSigner: deps.statusListSigner,
  });
  const issuance = new IssuancePipeline({
    db,
    providers,
    signer: new PipelineSigner(deps.signers),
    allocator,
    ledger,
    commit: deps.commit,
    issuer: config.issuer.publicUrl,
    credentialTtl: config.issuer.credentialTtl,
    log: deps.log,
  });
  return {
    configurations,
    store,
    issuance,
    ledger,
    status,
    registerPublic: (app) => registerStatusListRoutes(app, publisher),
    adminRoutes: (audit) => (scope) =>
      registerIssuanceAdminRoutes(scope, { db, store, configurations, ledger, status, audit }),
    close: () => providers.close(),
  };
}

/** The W3C Ed25519 key's purpose (shared with the ldp_vc signer, published in the did:web document). */
const W3C_EDDSA_PURPOSE = 'issuer-w3c-eddsa';

/**
 * Bitstring Status List credentials are signed like the issuer's ldp_vc credentials: eddsa-rdfc-2022
 * with the issuer's did:web Ed25519 key, so a verifier resolves both the same way.
 */
function bitstringListSigner(db: Kysely<IssuanceTables>, masterKey: MasterKey, publicUrl: string) {
  const keys = new KeyStore(db as unknown as ConstructorParameters<typeof KeyStore>[0], masterKey);
  const did = didWebFromUrl(publicUrl);
  return async (credential: Record<string, unknown>) => {
    const key = await keys.ensureActive(W3C_EDDSA_PURPOSE, 'EdDSA');
    const { issueLdpVc, loader: documentLoader } = await ldpSigning();
    return issueLdpVc({
      credential,
      suite: 'eddsa-rdfc-2022',
      key,
      verificationMethod: `${did}#${key.kid}`,
      documentLoader,
    });
  };
}
