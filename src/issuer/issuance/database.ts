import type { Migrations } from '../../platform/db/index.js';
import { type AdminTables, adminMigration, adminRefusalsMigration } from '../admin/tables.js';
import {
  type ConfigurationTables,
  configurationsMigration,
  jwtVcJsonDataModelMigration,
} from '../configurations/tables.js';
import { type LedgerTables, ledgerAttributeLookupMigration, ledgerMigration } from '../ledger/tables.js';
import { type StatusTables, statusMigration, statusSequenceMigration } from '../status/tables.js';

/** Tables of the issuance data side (admin, configurations, ledger, status lists). */
export type IssuanceTables = AdminTables & ConfigurationTables & LedgerTables & StatusTables;

/**
 * Migrations of the issuance data, applied with their own migration table (`issuer_data_migrations`)
 * so they evolve independently of the protocol layer's `issuerMigrations`.
 */
export const issuanceMigrations: Migrations = {
  '0001_admin': adminMigration,
  '0002_configurations': configurationsMigration,
  '0003_ledger': ledgerMigration,
  '0004_status': statusMigration,
  '0005_jwt_vc_json_vcdm_1_1': jwtVcJsonDataModelMigration,
  '0100_admin_refusals': adminRefusalsMigration,
  '0101_ledger_attribute_lookup': ledgerAttributeLookupMigration,
  '0102_status_sequence': statusSequenceMigration,
};

export const ISSUANCE_MIGRATION_SET = 'issuer_data';
