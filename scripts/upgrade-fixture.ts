// Makes test/fixtures/upgrade/<version>/: databases written by this version of Attesta, with data, for
// test/platform/upgrade.test.ts (later versions must migrate them and keep the data). Run once per
// release whose schema a deployment may still have: `tsx scripts/upgrade-fixture.ts 0.1.0`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { issuerCommand } from '../src/cli/issuer-admin.js';
import type { Config } from '../src/platform/config/index.js';
import { startSystem } from '../src/system.js';
import { testConfig } from '../test/helpers/system.js';

const version = process.argv[2];
if (!version) throw new Error('usage: tsx scripts/upgrade-fixture.ts <version>');
const out = new URL(`../test/fixtures/upgrade/${version}/`, import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';
/** A throwaway key for the fixture's sealed keys (test data only). */
const MASTER_KEY = '11'.repeat(32);

async function populate(config: Config, folder: string): Promise<Record<string, unknown>> {
  const system = await startSystem(config, ['authz', 'issuer', 'portal']);
  const get = async (url: string) => (await fetch(url)).json() as Promise<Record<string, unknown>>;
  const authzJwks = (await get(`${config.authz.publicUrl}/jwks`)) as { keys: { kid: string }[] };
  const issuerJwks = (await get(`${config.issuer.publicUrl}/.well-known/jwt-vc-issuer`)) as {
    jwks: { keys: { kid: string }[] };
  };
  await system.stop();
  const file = join(folder, 'attesta.json');
  writeFileSync(file, JSON.stringify(config));
  const lines: string[] = [];
  await issuerCommand(['api-key', 'create', 'upgrade-fixture', '--config', file], (l) => lines.push(l));
  return {
    authzKids: authzJwks.keys.map((k) => k.kid).sort(),
    issuerKids: issuerJwks.jwks.keys.map((k) => k.kid).sort(),
    apiKeyId: lines[0]?.split(' ')[2],
  };
}

/** The whole system on free ports, its files in a fresh folder, with a known master key. */
async function prepare(database?: string): Promise<{ config: Config; dataDir: string }> {
  const prepared = await testConfig(
    database
      ? { databases: { registry: database, authz: database, issuer: database, portal: database } }
      : {},
  );
  writeFileSync(prepared.config.keys.masterKeyFile, `${MASTER_KEY}\n`, { mode: 0o600 });
  return prepared;
}

// SQLite: the four database files, copied consistently.
const { config: sqliteConfig, dataDir: sqliteDir } = await prepare();
const sqliteExpected = await populate(sqliteConfig, sqliteDir);
mkdirSync(join(out, 'sqlite'), { recursive: true });
for (const name of ['registry', 'authz', 'issuer', 'portal']) {
  const source = new SQLite(join(sqliteDir, `${name}.sqlite`), { readonly: true });
  await source.backup(join(out, 'sqlite', `${name}.sqlite`));
  source.close();
}
rmSync(sqliteDir, { recursive: true, force: true });

// PostgreSQL: one database shared by the four, as a plain SQL dump.
const name = `attesta_fixture_${Date.now()}`;
const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = `postgres://postgres@127.0.0.1:5432/${name}`;
const { config: pgConfig, dataDir: pgDir } = await prepare(url);
const postgresExpected = await populate(pgConfig, pgDir);
execFileSync('pg_dump', ['--no-owner', '--no-privileges', '--file', join(out, 'postgres.sql'), url]);
await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
await admin.end();
rmSync(pgDir, { recursive: true, force: true });

writeFileSync(
  join(out, 'expected.json'),
  `${JSON.stringify({ version, masterKey: MASTER_KEY, sqlite: sqliteExpected, postgres: postgresExpected }, null, 2)}\n`,
);
process.stdout.write(`written ${out}\n`);
