import type { Config } from '../config/index.js';
import type { DatabaseOptions } from '../db/index.js';
import { CsvIdentityRegistry } from './csv-registry.js';
import { type FieldMapping, IDENTITY_FIELDS } from './fields.js';
import { HttpIdentityRegistry } from './http-registry.js';
import type { IdentityRegistry } from './identity.js';
import { MappedSqlIdentityRegistry } from './mapped-sql-registry.js';
import { demoIdentities, SqlIdentityRegistry } from './sql-registry.js';

/** Keeps only known identity fields, so a typo in configuration stops start-up with its name. */
function fieldMapping(key: string, mapping: Record<string, string>): FieldMapping {
  const known = new Set<string>(IDENTITY_FIELDS);
  for (const field of Object.keys(mapping)) {
    if (!known.has(field)) throw new Error(`configuration: ${key}.${field}: not an identity field`);
  }
  return mapping as FieldMapping;
}

/** Opens the identity registry the configuration selects (`registry.adapter`, default `sql`). */
export async function openRegistry(
  config: Config['registry'],
  connections?: DatabaseOptions,
): Promise<IdentityRegistry> {
  switch (config.adapter ?? 'sql') {
    case 'csv': {
      if (!config.csv) throw new Error('configuration: registry.csv: required by adapter "csv"');
      const columns = config.csv.columns && fieldMapping('registry.csv.columns', config.csv.columns);
      return CsvIdentityRegistry.open({ file: config.csv.file, columns });
    }
    case 'http': {
      if (!config.http) throw new Error('configuration: registry.http: required by adapter "http"');
      return new HttpIdentityRegistry({
        ...config.http,
        fields: fieldMapping('registry.http.fields', config.http.fields),
      });
    }
    default: {
      if (config.sql) {
        return MappedSqlIdentityRegistry.open(
          config.database,
          {
            table: config.sql.table,
            columns: fieldMapping('registry.sql.columns', config.sql.columns),
          },
          connections,
        );
      }
      const registry = await SqlIdentityRegistry.open(config.database, connections);
      if (config.seedDemo) await registry.seed(demoIdentities());
      return registry;
    }
  }
}
