import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { databaseUrls, MIGRATION_SETS } from '../migrations.js';
import { loadConfig } from '../platform/config/index.js';
import { migrateToLatest, openDatabase, SchemaTooNewError, schemaStatus } from '../platform/db/index.js';
import type { Out } from './out.js';

/**
 * `attesta migrate [--check]`: brings every database of the configuration to this version's schema
 * (services also do it at start), or with --check only reports (exit 1 when something is pending,
 * 3 when a database is newer than this code).
 */
export async function migrateCommand(args: string[], out: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', short: 'c' }, check: { type: 'boolean' } },
  });
  const config = loadConfig({ file: values.config });
  let pending = 0;
  let tooNew = 0;
  for (const [name, url] of Object.entries(databaseUrls(config))) {
    const database = openDatabase<unknown>(url, config.database);
    const db = database.db as Kysely<unknown>;
    try {
      for (const set of MIGRATION_SETS[name as keyof typeof MIGRATION_SETS]) {
        const status = await schemaStatus(db, set.name, set.migrations);
        if (status.unknown.length) {
          tooNew += 1;
          out(`${name} ${set.name}: ${new SchemaTooNewError(set.name, status.unknown).message}`);
          continue;
        }
        if (!status.pending.length) {
          out(`${name} ${set.name}: current (${status.applied.length} applied)`);
          continue;
        }
        pending += status.pending.length;
        if (values.check) {
          out(`${name} ${set.name}: pending ${status.pending.join(', ')}`);
          continue;
        }
        await migrateToLatest(db, set.name, set.migrations);
        out(`${name} ${set.name}: applied ${status.pending.join(', ')}`);
      }
    } finally {
      await database.close();
    }
  }
  if (tooNew) return 3;
  return values.check && pending ? 1 : 0;
}
