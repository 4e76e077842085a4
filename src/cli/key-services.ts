import type { Kysely } from 'kysely';
import { AUTHZ_KEY_ALG, AUTHZ_KEY_PURPOSE, authzKeyStore, retentionSeconds } from '../authz/keys/rotation.js';
import { authzMigrations } from '../authz/storage/migrations.js';
import { requireFormat } from '../credentials/formats/index.js';
import { ConfigurationStore, type ConfigurationTables } from '../issuer/configurations/index.js';
import { issuerMigrations } from '../issuer/database.js';
import { keyPurposeOf } from '../issuer/formats/keys.js';
import { ISSUER_KEY_PURPOSES } from '../issuer/key-purposes.js';
import type { Config, ServiceName } from '../platform/config/index.js';
import { type Migrations, migrateToLatest, openDatabase } from '../platform/db/index.js';
import { type KeyPurpose, KeyStore, type KeyTables, loadMasterKey } from '../platform/keys/index.js';
import { CLIENT_KEY_PURPOSE } from '../portal/context.js';
import { portalMigrations } from '../portal/store/tables.js';

/** Every signing key purpose of each service, with its algorithm (docs/keys.md has the inventory). */
export const SERVICE_KEY_PURPOSES: Record<ServiceName, readonly KeyPurpose[]> = {
  authz: [{ purpose: AUTHZ_KEY_PURPOSE, alg: AUTHZ_KEY_ALG }],
  issuer: ISSUER_KEY_PURPOSES,
  portal: [{ purpose: CLIENT_KEY_PURPOSE, alg: 'ES256' }],
};

const MIGRATIONS: Record<ServiceName, Migrations> = {
  authz: authzMigrations,
  issuer: issuerMigrations,
  portal: portalMigrations,
};

export interface ServiceKeys {
  db: Kysely<KeyTables>;
  keyStore: KeyStore;
  close(): Promise<void>;
}

/** A service's database (migrated as the service would leave it) and its KeyStore, for offline commands. */
export async function openServiceKeys(config: Config, service: ServiceName): Promise<ServiceKeys> {
  const database = openDatabase<KeyTables>(config[service].database);
  try {
    await migrateToLatest(database.db as Kysely<unknown>, service, MIGRATIONS[service]);
  } catch (error) {
    await database.close();
    throw error;
  }
  const masterKey = loadMasterKey(config.keys.masterKeyFile);
  const keyStore =
    service === 'authz'
      ? authzKeyStore(database.db, masterKey, retentionSeconds([config.authz.accessTokenTtl]))
      : new KeyStore(database.db, masterKey);
  return { db: database.db, keyStore, close: () => database.close() };
}

/**
 * The key purpose a credential configuration signs with, and the other configurations that share
 * that key (keys are per purpose: one per format kind and algorithm, docs/keys.md); undefined for
 * an unknown configuration.
 */
export async function configurationKeyPurpose(
  db: unknown,
  id: string,
): Promise<{ purpose: string; sharedWith: string[] } | undefined> {
  const all = await new ConfigurationStore(db as Kysely<ConfigurationTables>).all();
  const purposeOf = (c: (typeof all)[number]['configuration']) =>
    keyPurposeOf(requireFormat(c.format).issuerKey(c));
  const target = all.find((stored) => stored.configuration.id === id);
  if (!target) return undefined;
  const purpose = purposeOf(target.configuration);
  const sharedWith = all
    .filter((stored) => stored.configuration.id !== id && purposeOf(stored.configuration) === purpose)
    .map((stored) => stored.configuration.id);
  return { purpose, sharedWith };
}
