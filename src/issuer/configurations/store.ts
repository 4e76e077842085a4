import { type Kysely, sql } from 'kysely';
import type { ConfigurationTables } from './tables.js';
import type { CredentialConfiguration } from './types.js';
import { ConfigurationError, checkProviderData, uniqueKey, validateConfiguration } from './validate.js';

export interface StoredConfiguration {
  configuration: CredentialConfiguration;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A save that clashes with another configuration's id or type. */
export class ConfigurationConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationConflict';
  }
}

/**
 * Credential configurations in the issuer database. Every change bumps the shared epoch, which is
 * how the caches of all instances learn of it (see `CachedConfigurationSource`).
 */
export class ConfigurationStore {
  constructor(private readonly db: Kysely<ConfigurationTables>) {}

  async version(): Promise<number> {
    const row = await this.db
      .selectFrom('issuer_configuration_epoch')
      .select('version')
      .where('name', '=', 'configurations')
      .executeTakeFirst();
    return Number(row?.version ?? 0);
  }

  async all(): Promise<StoredConfiguration[]> {
    const rows = await this.db.selectFrom('issuer_configurations').selectAll().orderBy('id').execute();
    return rows.map((row) => ({
      configuration: JSON.parse(row.body) as CredentialConfiguration,
      enabled: Number(row.enabled) === 1,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }

  async get(id: string): Promise<StoredConfiguration | undefined> {
    const row = await this.db
      .selectFrom('issuer_configurations')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row
      ? {
          configuration: JSON.parse(row.body) as CredentialConfiguration,
          enabled: Number(row.enabled) === 1,
          createdAt: row.created_at,
          updatedAt: row.updated_at,
        }
      : undefined;
  }

  private async clash(configuration: CredentialConfiguration, exceptId?: string): Promise<void> {
    let query = this.db
      .selectFrom('issuer_configurations')
      .select('id')
      .where('unique_key', '=', uniqueKey(configuration));
    if (exceptId) query = query.where('id', '!=', exceptId);
    const other = await query.executeTakeFirst();
    if (other) {
      throw new ConfigurationConflict(
        `configuration ${other.id} already issues this type in format ${configuration.format}`,
      );
    }
  }

  private bump(db: Kysely<ConfigurationTables>) {
    return db
      .updateTable('issuer_configuration_epoch')
      .set({ version: sql`version + 1` })
      .where('name', '=', 'configurations')
      .execute();
  }

  /** Validates and inserts; `ifAbsent` skips silently when the id or the type is taken (demo seed). */
  async create(input: unknown, options: { ifAbsent?: boolean } = {}): Promise<CredentialConfiguration> {
    const configuration = validateConfiguration(input);
    await checkProviderData(configuration);
    const now = Date.now();
    try {
      await this.db.transaction().execute(async (trx) => {
        if (
          await trx
            .selectFrom('issuer_configurations')
            .select('id')
            .where('id', '=', configuration.id)
            .executeTakeFirst()
        )
          throw new ConfigurationConflict(`configuration ${configuration.id} exists`);
        await new ConfigurationStore(trx).clash(configuration);
        await trx
          .insertInto('issuer_configurations')
          .values({
            id: configuration.id,
            format: configuration.format,
            unique_key: uniqueKey(configuration),
            body: JSON.stringify(configuration),
            enabled: 1,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await this.bump(trx);
      });
    } catch (error) {
      if (options.ifAbsent && error instanceof ConfigurationConflict) return configuration;
      if (error instanceof ConfigurationConflict || error instanceof ConfigurationError) throw error;
      // A concurrent save won the unique constraint.
      if (/unique|duplicate/i.test((error as Error).message)) {
        if (options.ifAbsent) return configuration;
        throw new ConfigurationConflict(
          `configuration ${configuration.id} clashes with another saved at the same time`,
        );
      }
      throw error;
    }
    return configuration;
  }

  /** Validates and replaces; the id cannot change. Returns false when there is no such configuration. */
  async update(id: string, input: unknown): Promise<boolean> {
    const configuration = validateConfiguration(input);
    await checkProviderData(configuration);
    if (configuration.id !== id) throw new ConfigurationError(['id: cannot be changed']);
    return this.db.transaction().execute(async (trx) => {
      if (
        !(await trx.selectFrom('issuer_configurations').select('id').where('id', '=', id).executeTakeFirst())
      )
        return false;
      await new ConfigurationStore(trx).clash(configuration, id);
      const result = await trx
        .updateTable('issuer_configurations')
        .set({
          format: configuration.format,
          unique_key: uniqueKey(configuration),
          body: JSON.stringify(configuration),
          updated_at: Date.now(),
        })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await this.bump(trx);
      return true;
    });
  }

  /** Disables (no longer offered, no longer issued) or enables again. */
  async setEnabled(id: string, enabled: boolean): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('issuer_configurations')
        .set({ enabled: enabled ? 1 : 0, updated_at: Date.now() })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await this.bump(trx);
      return true;
    });
  }
}
