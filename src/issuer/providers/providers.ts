import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Database, openDatabase } from '../../platform/db/index.js';
import type { IdentityRegistry } from '../../platform/registry/index.js';
import type { ProviderConfig } from '../configurations/types.js';
import { CsvProvider } from './csv.js';
import { HttpProvider } from './http.js';
import { RegistryProvider } from './registry.js';
import { SqlProvider } from './sql.js';
import type { DataProvider } from './types.js';

/** The package root: where the demo configurations' relative data files (config/demo/…) live. */
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A relative file is read from the working directory, else from the package (the demo data). */
export function dataFile(file: string): string {
  if (isAbsolute(file) || existsSync(file)) return resolve(file);
  const packaged = join(PACKAGE_ROOT, file);
  return existsSync(packaged) ? packaged : resolve(file);
}

/** The access token claim (dotted path) holding the lookup key; a string or number only. */
export function lookupKey(
  provider: ProviderConfig | undefined,
  claims: Record<string, unknown>,
): string | undefined {
  let node: unknown = claims;
  for (const segment of (provider?.key ?? 'sub').split('.')) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
  }
  if (typeof node === 'number') return String(node);
  return typeof node === 'string' && node.length > 0 ? node : undefined;
}

/**
 * Providers built from configurations, kept per distinct provider configuration (so a CSV file is
 * indexed once, an SQL database opened once) and closed with the service.
 */
export class DataProviders {
  private readonly providers = new Map<string, DataProvider>();
  private readonly databases = new Map<string, Database<unknown>>();
  private readonly registryProvider: RegistryProvider;

  constructor(registry: IdentityRegistry) {
    this.registryProvider = new RegistryProvider(registry);
  }

  for(config: ProviderConfig | undefined): DataProvider {
    if (!config || config.type === 'registry') return this.registryProvider;
    const cacheKey = JSON.stringify(config);
    let provider = this.providers.get(cacheKey);
    if (!provider) {
      provider = this.build(config);
      this.providers.set(cacheKey, provider);
    }
    return provider;
  }

  private build(config: Exclude<ProviderConfig, { type: 'registry' }>): DataProvider {
    switch (config.type) {
      case 'sql': {
        let database = this.databases.get(config.database);
        if (!database) {
          database = openDatabase<unknown>(config.database);
          this.databases.set(config.database, database);
        }
        return new SqlProvider(database, config.query);
      }
      case 'csv':
        return new CsvProvider(dataFile(config.file), config.keyColumn);
      case 'http':
        return new HttpProvider(config);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.databases.values()].map((d) => d.close()));
    this.databases.clear();
    this.providers.clear();
  }
}
