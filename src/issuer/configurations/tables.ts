import { type Kysely, sql } from 'kysely';
import { JWT_VC_JSON } from '../../credentials/formats/index.js';

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

/**
 * `jwt_vc_json` is the VCDM 1.1 JWT encoding (OpenID4VCI 1.0 Appendix A.1.1); releases before it
 * also issued VCDM 2.0 under that identifier (the demo configurations did, by `dataModel: "2.0"`),
 * which wallets and verifiers reading `jwt_vc_json` could not use. Saved configurations of that
 * kind now issue VCDM 1.1, under the identifier wallets asked for; VCDM 2.0 with JOSE is the format
 * `vc+jwt` (docs/formats.md).
 */
export const jwtVcJsonDataModelMigration = {
  async up(db: Kysely<unknown>) {
    const tables = db as Kysely<ConfigurationTables>;
    const rows = await tables
      .selectFrom('issuer_configurations')
      .select(['id', 'body'])
      .where('format', '=', JWT_VC_JSON)
      .execute();
    let changed = 0;
    for (const row of rows) {
      const body = JSON.parse(row.body) as { dataModel?: string };
      if (body.dataModel !== '2.0') continue;
      body.dataModel = '1.1';
      await tables
        .updateTable('issuer_configurations')
        .set({ body: JSON.stringify(body), updated_at: Date.now() })
        .where('id', '=', row.id)
        .execute();
      changed++;
    }
    if (changed) {
      await tables
        .updateTable('issuer_configuration_epoch')
        .set({ version: sql`version + 1` })
        .where('name', '=', 'configurations')
        .execute();
    }
  },
};
