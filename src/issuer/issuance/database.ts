import type { Migrations } from '../../platform/db/index.js';
import { type AdminTables, adminMigration } from '../admin/tables.js';

/** Tables of the issuance data side (admin, configurations, ledger, status lists). */
export type IssuanceTables = AdminTables;

/**
 * Migrations of the issuance data, applied with their own migration table (`issuer_data_migrations`)
 * so they evolve independently of the protocol layer's `issuerMigrations`.
 */
export const issuanceMigrations: Migrations = {
  '0001_admin': adminMigration,
};

export const ISSUANCE_MIGRATION_SET = 'issuer_data';
