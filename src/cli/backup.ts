import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { StatusTables } from '../issuer/status/tables.js';
import { databaseUrls, MIGRATION_SETS } from '../migrations.js';
import { type Config, loadConfig } from '../platform/config/index.js';
import { openDatabase, schemaStatus } from '../platform/db/index.js';
import type { Out } from './out.js';

/**
 * `attesta backup` / `attesta restore` for the embedded SQLite databases (docs/operations.md). A
 * backup is a folder: one consistent copy per database, made with SQLite's online backup API while
 * the services keep serving, and manifest.json (checksums, schema versions). The master key is not
 * in it: it decrypts every sealed key, so it is kept apart (or given as ATTESTA_MASTER_KEY).
 */
const MANIFEST = 'manifest.json';

interface Manifest {
  format: 'attesta-backup/1';
  createdAt: string;
  databases: Record<string, { file: string; sha256: string; migrations: Record<string, string[]> }>;
}

function sqlitePath(url: string): string | undefined {
  if (!url.startsWith('sqlite:')) return undefined;
  return url.slice('sqlite:'.length).split('?', 1)[0];
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function appliedMigrations(file: string, name: string): Promise<Record<string, string[]>> {
  const database = openDatabase<unknown>(`sqlite:${file}`);
  try {
    const out: Record<string, string[]> = {};
    for (const set of MIGRATION_SETS[name as keyof typeof MIGRATION_SETS])
      out[set.name] = (await schemaStatus(database.db as Kysely<unknown>, set.name, set.migrations)).applied;
    return out;
  } finally {
    await database.close();
  }
}

function sqliteDatabases(config: Config): [string, string][] {
  const found: [string, string][] = [];
  for (const [name, url] of Object.entries(databaseUrls(config))) {
    const path = sqlitePath(url);
    if (!path)
      throw new Error(
        `${name}'s database is PostgreSQL: back it up with pg_dump (docs/operations.md, Backup and restore)`,
      );
    found.push([name, path]);
  }
  return found;
}

/** `attesta backup --to <folder>`: an online, consistent copy of every SQLite database. */
export async function backupCommand(args: string[], out: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', short: 'c' }, to: { type: 'string' } },
  });
  if (!values.to)
    throw Object.assign(new TypeError('--to <folder> is required'), { code: 'ERR_PARSE_ARGS_MISSING' });
  const config = loadConfig({ file: values.config });
  const folder = values.to;
  if (existsSync(join(folder, MANIFEST))) throw new Error(`${folder} already holds a backup`);
  mkdirSync(folder, { recursive: true });
  const manifest: Manifest = {
    format: 'attesta-backup/1',
    createdAt: new Date().toISOString(),
    databases: {},
  };
  for (const [name, path] of sqliteDatabases(config)) {
    if (!existsSync(path)) throw new Error(`${name}: ${path} does not exist (has the service started once?)`);
    const file = `${name}.sqlite`;
    const source = new SQLite(path, { readonly: true, fileMustExist: true });
    try {
      // SQLite's online backup: pages are copied in steps; writes by the running services meanwhile
      // restart the copy, so the result is one consistent state of the database.
      await source.backup(join(folder, file));
    } finally {
      source.close();
    }
    manifest.databases[name] = {
      file,
      sha256: sha256(join(folder, file)),
      migrations: await appliedMigrations(join(folder, file), name),
    };
    out(`${name}: ${path} → ${join(folder, file)}`);
  }
  writeFileSync(join(folder, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  out(`backup written to ${folder} (the master key is not in it: keep ${config.keys.masterKeyFile} apart)`);
  return 0;
}

/**
 * Run on a restored issuer database (SQLite restore does it; after pg_restore run `attesta restore
 * --finish`). Credentials issued after the backup was taken are not in it, but their status list
 * indices are out in the world: every list open at backup time is closed to new entries, so new
 * credentials go to fresh lists and no index is handed out twice.
 */
async function closeOpenStatusLists(config: Config): Promise<number> {
  const database = openDatabase<StatusTables>(config.issuer.database, config.database);
  try {
    const result = await database.db
      .updateTable('issuer_status_lists')
      .set({ state: 'full' })
      .where('state', '=', 'open')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  } finally {
    await database.close();
  }
}

/** `attesta restore --from <folder> [--force]` and `attesta restore --finish`. */
export async function restoreCommand(args: string[], out: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      from: { type: 'string' },
      force: { type: 'boolean' },
      finish: { type: 'boolean' },
    },
  });
  const config = loadConfig({ file: values.config });
  if (values.finish) {
    out(`issuer: ${await closeOpenStatusLists(config)} open status list(s) closed to new entries`);
    return 0;
  }
  if (!values.from)
    throw Object.assign(new TypeError('--from <folder> is required'), { code: 'ERR_PARSE_ARGS_MISSING' });
  const manifest = JSON.parse(readFileSync(join(values.from, MANIFEST), 'utf8')) as Manifest;
  if (manifest.format !== 'attesta-backup/1') throw new Error(`${values.from}: not an Attesta backup`);
  const targets = sqliteDatabases(config);
  // Check everything before writing anything: a half-restored data directory is worse than none.
  for (const [name, path] of targets) {
    const entry = manifest.databases[name];
    if (!entry) throw new Error(`${values.from} has no ${name} database`);
    if (sha256(join(values.from, entry.file)) !== entry.sha256)
      throw new Error(`${name}: ${entry.file} does not match its checksum (damaged backup)`);
    if (existsSync(path) && !values.force)
      throw new Error(`${name}: ${path} exists; stop the services and give --force to replace it`);
  }
  for (const [name, path] of targets) {
    const entry = manifest.databases[name] as Manifest['databases'][string];
    mkdirSync(dirname(path), { recursive: true });
    const staging = join(dirname(path), `.${basename(path)}.restoring`);
    copyFileSync(join(values.from, entry.file), staging);
    for (const suffix of ['-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    renameSync(staging, path);
    out(`${name}: ${join(values.from, entry.file)} → ${path}`);
  }
  out(`issuer: ${await closeOpenStatusLists(config)} open status list(s) closed to new entries`);
  out(`restored from the backup of ${manifest.createdAt}; services migrate it at start if it is older`);
  return 0;
}
