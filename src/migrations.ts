import { authzMigrations } from './authz/storage/migrations.js';
import { issuerMigrations } from './issuer/database.js';
import { FORMATS_MIGRATION_SET, formatMigrations } from './issuer/formats/certificates.js';
import { ISSUANCE_MIGRATION_SET, issuanceMigrations } from './issuer/issuance/database.js';
import { PROTOCOL_MIGRATION_SET, protocolMigrations } from './issuer/protocol-database.js';
import type { Config } from './platform/config/index.js';
import type { MigrationSet } from './platform/db/index.js';
import { registryMigrations } from './platform/registry/sql-registry.js';
import { portalMigrations } from './portal/store/tables.js';

/**
 * Every database Attesta owns and the migration sets applied to it, in the order the services apply
 * them at start (`attesta migrate` and the upgrade test use this list).
 */
export type DatabaseName = 'registry' | 'authz' | 'issuer' | 'portal';

export const MIGRATION_SETS: Record<DatabaseName, readonly MigrationSet[]> = {
  registry: [{ name: 'registry', migrations: registryMigrations }],
  authz: [{ name: 'authz', migrations: authzMigrations }],
  issuer: [
    { name: 'issuer', migrations: issuerMigrations },
    { name: ISSUANCE_MIGRATION_SET, migrations: issuanceMigrations },
    { name: PROTOCOL_MIGRATION_SET, migrations: protocolMigrations },
    { name: FORMATS_MIGRATION_SET, migrations: formatMigrations },
  ],
  portal: [{ name: 'portal', migrations: portalMigrations }],
};

/** The URL of each database of the configuration (the registry only when it is Attesta's own table). */
export function databaseUrls(config: Config): Partial<Record<DatabaseName, string>> {
  const ownRegistry = (config.registry.adapter ?? 'sql') === 'sql' && !config.registry.sql;
  return {
    ...(ownRegistry ? { registry: config.registry.database } : {}),
    authz: config.authz.database,
    issuer: config.issuer.database,
    portal: config.portal.database,
  };
}
