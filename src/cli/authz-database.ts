import type { Kysely } from 'kysely';
import type { AuditTables } from '../authz/admin/audit.js';
import type { ClientTables } from '../authz/clients/store.js';
import { authzKeyStore, retentionSeconds } from '../authz/keys/rotation.js';
import { authzMigrations } from '../authz/storage/migrations.js';
import type { Config } from '../platform/config/index.js';
import { migrateToLatest, openDatabase } from '../platform/db/index.js';
import { type KeyTables, loadMasterKey } from '../platform/keys/index.js';

export type AuthzAdminTables = KeyTables & ClientTables & AuditTables;

/** authz's database for the offline commands (migrated, as the service would leave it). */
export async function openAuthzDatabase(config: Config) {
  const database = openDatabase<AuthzAdminTables>(config.authz.database, config.database);
  try {
    await migrateToLatest(database.db as Kysely<unknown>, 'authz', authzMigrations);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    db: database.db,
    keyStore: () =>
      authzKeyStore(
        database.db,
        loadMasterKey(config.keys.masterKeyFile),
        retentionSeconds([config.authz.accessTokenTtl]),
      ),
    close: () => database.close(),
  };
}
