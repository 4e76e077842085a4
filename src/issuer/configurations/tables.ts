import type { Kysely } from 'kysely';

export interface ConfigurationsTable {
  id: string;
  format: string;
  /** `format` + vct / sorted type set / doctype: unique, so two configurations never claim one type. */
  unique_key: string;
  /** The configuration as JSON. */
  body: string;
  /** 1 = offered, 0 = disabled (kept: ledger rows refer to it). */
  enabled: number;
  created_at: number;
  updated_at: number;
}

/** One row: bumped on every change, so every instance sees that its cache is stale with one read. */
export interface ConfigurationEpochTable {
  name: string;
  version: number;
}

export interface ConfigurationTables {
  issuer_configurations: ConfigurationsTable;
  issuer_configuration_epoch: ConfigurationEpochTable;
}

export const configurationsMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('issuer_configurations')
      .addColumn('id', 'varchar(100)', (c) => c.primaryKey())
      .addColumn('format', 'varchar(20)', (c) => c.notNull())
      .addColumn('unique_key', 'varchar(600)', (c) => c.notNull().unique())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('issuer_configuration_epoch')
      .addColumn('name', 'varchar(20)', (c) => c.primaryKey())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .execute();
    await (db as Kysely<ConfigurationTables>)
      .insertInto('issuer_configuration_epoch')
      .values({ name: 'configurations', version: 1 })
      .execute();
  },
};
