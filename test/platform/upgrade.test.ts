import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { issuerCommand } from '../../src/cli/issuer-admin.js';
import { migrateCommand } from '../../src/cli/migrate.js';
import { databaseUrls, MIGRATION_SETS } from '../../src/migrations.js';
import type { Config } from '../../src/platform/config/index.js';
import { openDatabase, pendingMigrations, SchemaTooNewError } from '../../src/platform/db/index.js';
import { SqlIdentityRegistry } from '../../src/platform/registry/sql-registry.js';
import { startSystem } from '../../src/system.js';
import { createPostgresDatabase, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';
import { testConfig } from '../helpers/system.js';

/**
 * Databases written by Attesta 0.1.0 (test/fixtures/upgrade/0.1.0, made by scripts/upgrade-fixture.ts)
 * are started by this version: it migrates them at start and keeps their data. Each release whose
 * schema may still be deployed keeps its fixture here.
 */
const FIXTURE = 'test/fixtures/upgrade/0.1.0';
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as {
  masterKey: string;
  sqlite: Expectation;
  postgres: Expectation;
};
interface Expectation {
  authzKids: string[];
  issuerKids: string[];
  apiKeyId: string;
}

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

function run(command: typeof migrateCommand, args: string[]) {
  const lines: string[] = [];
  return command(args, (line) => lines.push(line)).then((code) => ({ code, text: lines.join('\n') }));
}

async function upgradedKeepsItsData(config: Config, dataDir: string, want: Expectation) {
  writeFileSync(config.keys.masterKeyFile, `${expected.masterKey}\n`, { mode: 0o600 });
  const file = join(dataDir, 'attesta.json');
  writeFileSync(file, JSON.stringify(config));

  const system = await startSystem(config, ['authz', 'issuer', 'portal']);
  try {
    // Sealed keys still open under the same master key: the same signing keys are published.
    const authzJwks = (await (await fetch(`${config.authz.publicUrl}/jwks`)).json()) as {
      keys: { kid: string }[];
    };
    expect(authzJwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining(want.authzKids));
    const issuer = (await (await fetch(`${config.issuer.publicUrl}/.well-known/jwt-vc-issuer`)).json()) as {
      jwks: { keys: { kid: string }[] };
    };
    expect(issuer.jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining(want.issuerKids));
  } finally {
    await system.stop();
  }
  // Nothing is left pending, and the rows are there: the admin API key, the registry's people.
  for (const [name, url] of Object.entries(databaseUrls(config))) {
    const database = openDatabase<unknown>(url);
    expect(await pendingMigrations(database.db as Kysely<unknown>, MIGRATION_SETS[name as 'authz'])).toEqual(
      [],
    );
    await database.close();
  }
  // 0.1.0 seeded `jwt_vc_json` configurations with VCDM 2.0; jwt_vc_json is the VCDM 1.1 JWT
  // encoding (OpenID4VCI 1.0 Appendix A.1.1), so the upgrade turns them to 1.1 (issue 16).
  const issuerDb = openDatabase<{ issuer_configurations: { id: string; body: string } }>(
    config.issuer.database,
  );
  const row = await issuerDb.db
    .selectFrom('issuer_configurations')
    .select('body')
    .where('id', '=', 'national_id_jwt_vc')
    .executeTakeFirstOrThrow();
  await issuerDb.close();
  expect(JSON.parse(row.body)).toMatchObject({ format: 'jwt_vc_json', dataModel: '1.1' });
  expect((await run(migrateCommand, ['--check', '--config', file])).code).toBe(0);
  const keys = await run(issuerCommand, ['api-key', 'list', '--config', file]);
  expect(keys.text).toContain(`${want.apiKeyId} upgrade-fixture`);
  const registry = await SqlIdentityRegistry.open(config.registry.database);
  expect((await registry.findByIndividualId('5102030400'))?.fullName).toBe('Amara Okafor');
  await registry.close();
  return file;
}

describe('upgrading a 0.1.0 database', async () => {
  const postgres = await isPostgresAvailable();

  it('SQLite: starts on it, migrates it and keeps its data; a newer schema is refused', async () => {
    const { config, dataDir } = await testConfig();
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    for (const name of ['registry', 'authz', 'issuer', 'portal'])
      copyFileSync(join(FIXTURE, 'sqlite', `${name}.sqlite`), join(dataDir, `${name}.sqlite`));
    const file = await upgradedKeepsItsData(config, dataDir, expected.sqlite);

    // Later, this database is migrated by a newer Attesta; this version must not start on it.
    const issuerFile = (config.issuer.database as string).slice('sqlite:'.length);
    const sqlite = new Database(issuerFile);
    sqlite
      .prepare('insert into issuer_data_migrations (name, timestamp) values (?, ?)')
      .run('9000_from_a_newer_version', new Date().toISOString());
    sqlite.close();
    await expect(startSystem(config, ['issuer'])).rejects.toThrow(SchemaTooNewError);
    await expect(startSystem(config, ['issuer'])).rejects.toThrow(
      /newer than this version of Attesta.*9000_from_a_newer_version/,
    );
    const check = await run(migrateCommand, ['--check', '--config', file]);
    expect(check.code).toBe(3);
    expect(check.text).toContain('9000_from_a_newer_version');
  });

  it.skipIf(!postgres)(
    'PostgreSQL: starts on the restored dump, migrates it and keeps its data',
    async () => {
      const database: TestDatabase = await createPostgresDatabase();
      cleanup.push(() => database.drop());
      execFileSync(
        'psql',
        ['--quiet', '-v', 'ON_ERROR_STOP=1', '--file', join(FIXTURE, 'postgres.sql'), database.url],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      const url = database.url;
      const { config, dataDir } = await testConfig({
        databases: { registry: url, authz: url, issuer: url, portal: url },
      });
      cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      await upgradedKeepsItsData(config, dataDir, expected.postgres);
    },
  );
});
