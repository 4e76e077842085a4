import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CachedConfigurationSource,
  ConfigurationConflict,
  ConfigurationError,
  ConfigurationStore,
  demoConfigurations,
  seedDemoConfigurations,
  validateConfiguration,
} from '../../src/issuer/configurations/index.js';
import {
  ISSUANCE_MIGRATION_SET,
  type IssuanceTables,
  issuanceMigrations,
} from '../../src/issuer/issuance/index.js';
import { type Database, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

const base = {
  id: 'sample',
  format: 'dc+sd-jwt',
  scope: 'sample',
  vct: 'urn:test:sample',
  display: [{ name: 'Sample', locale: 'en' }],
  claims: [{ path: ['name'], disclosable: true, display: [{ name: 'Name', locale: 'en' }] }],
  template: { name: 'sample-v1', output: { name: 'fullName' } },
};

function problems(input: unknown): string[] {
  try {
    validateConfiguration(input);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
}

describe('configuration validation', () => {
  it('accepts every demo configuration (three credential types, four formats)', () => {
    const demos = demoConfigurations().map(validateConfiguration);
    expect(new Set(demos.map((c) => c.scope))).toEqual(
      new Set(['national_id', 'insurance_policy', 'driving_licence']),
    );
    expect(new Set(demos.map((c) => c.format))).toEqual(
      new Set(['dc+sd-jwt', 'jwt_vc_json', 'ldp_vc', 'mso_mdoc']),
    );
  });

  it('refuses schema violations naming the member', () => {
    expect(problems({ ...base, scope: 'has space' })[0]).toMatch(/^scope: /);
    expect(problems({ ...base, unknown: 1 })[0]).toMatch(/^\(root\)|unknown/);
    expect(problems({ ...base, format: 'pdf' })[0]).toMatch(/^format: /);
  });

  it('checks per-format members and suite/algorithm consistency', () => {
    expect(problems({ ...base, vct: undefined })).toContain('vct: required for dc+sd-jwt');
    expect(problems({ ...base, format: 'mso_mdoc', vct: undefined })).toContain(
      'doctype: required for mso_mdoc',
    );
    expect(
      problems({
        ...base,
        format: 'jwt_vc_json',
        vct: undefined,
        credentialDefinition: { type: ['Sample'] },
      }),
    ).toContain('credentialDefinition.type: must include VerifiableCredential');
    const ldp = {
      ...base,
      format: 'ldp_vc',
      vct: undefined,
      credentialDefinition: {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
      },
    };
    expect(problems({ ...ldp, proofSuite: 'eddsa-rdfc-2022', signingAlg: 'ES256' })).toContain(
      'signingAlg: eddsa-rdfc-2022 signs with EdDSA, not ES256',
    );
    expect(problems({ ...ldp, proofSuite: 'ecdsa-rdfc-2019', signingAlg: 'ES256' })).toEqual([]);
    expect(problems({ ...ldp, proofSuite: 'Ed25519Signature2020', dataModel: '2.0' })).toContain(
      'proofSuite: Ed25519Signature2020 goes with data model 1.1',
    );
    expect(problems({ ...base, proofSuite: 'eddsa-rdfc-2022' })).toContain('proofSuite: only for ldp_vc');
    // A token status list entry has its own suspended value; `suspension` adds a bitstring entry.
    expect(problems({ ...base, suspension: true })).toContain(
      'suspension: only for W3C formats (a token status list entry has a suspended value of its own)',
    );
    expect(problems({ ...ldp, suspension: false })).toEqual([]);
    expect(
      problems({
        ...base,
        format: 'mso_mdoc',
        vct: undefined,
        doctype: 'x',
        signingAlg: 'EdDSA',
        template: { name: 't', output: { ns: { a: 'b' } } },
      }),
    ).toContain('signingAlg: mso_mdoc is signed with ES256 here (ISO 18013-5 issuer keys are ECDSA)');
  });

  it('checks providers and templates', () => {
    const sql = (query: string) =>
      problems({ ...base, provider: { type: 'sql', database: 'sqlite:x.db', query } });
    expect(sql('DELETE FROM people WHERE id = :key')).toEqual([
      'provider.query: the query must be a single SELECT',
    ]);
    expect(sql('SELECT * FROM people WHERE id = :key; DROP TABLE people')).toEqual([
      'provider.query: the query must be a single statement',
    ]);
    expect(sql("SELECT * FROM people WHERE id = '1'")).toEqual([
      'provider.query: the query must use the :key parameter',
    ]);
    expect(sql('SELECT * FROM people WHERE id = :key')).toEqual([]);
    expect(problems({ ...base, provider: { type: 'http', url: 'https://x.example/people' } })).toEqual([
      'provider.url: must contain {key}',
    ]);
    expect(problems({ ...base, template: undefined })).toEqual(['template: required']);
    expect(problems({ ...base, template: { name: 't', output: { name: '$uppercase(' } } })[0]).toMatch(
      /^template: configuration sample, template t, path name: .*\(JSONata S0\d+ at \d+\)$/,
    );
    expect(
      problems({
        ...base,
        format: 'mso_mdoc',
        vct: undefined,
        doctype: 'x',
        template: { name: 't', output: { a: 'b' } },
      }),
    ).toEqual(['template t: a: mdoc output maps namespaces to elements']);
  });
});

describe.each(DIALECTS)('configuration store ($dialect)', ({ dialect, create }) => {
  let db: TestDatabase | undefined;
  let one: Database<IssuanceTables>;
  let two: Database<IssuanceTables>;

  beforeAll(async () => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return;
    db = await create();
    one = openDatabase<IssuanceTables>(db.url);
    await migrateToLatest(one.db as Kysely<unknown>, ISSUANCE_MIGRATION_SET, issuanceMigrations);
    two = openDatabase<IssuanceTables>(db.url);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  it('one configuration per type and format; seeding is idempotent', async (context) => {
    if (!db) return context.skip();
    const store = new ConfigurationStore(one.db);
    await seedDemoConfigurations(store, 'https://issuer.example');
    await seedDemoConfigurations(store, 'https://issuer.example');
    expect((await store.all()).length).toBe(demoConfigurations().length);
    await expect(store.create({ ...base, id: 'national_id_sd_jwt' })).rejects.toThrow(ConfigurationConflict);
    await expect(store.create({ ...base, vct: 'https://issuer.example/types/national-id' })).rejects.toThrow(
      'configuration national_id_sd_jwt already issues this type in format dc+sd-jwt',
    );
    // The same vct in another format is another configuration.
    await store.create({
      ...base,
      id: 'sample_vc_sd',
      format: 'vc+sd-jwt',
      vct: 'https://issuer.example/types/national-id',
    });
    await expect(store.update('sample', { ...base })).resolves.toBe(false);
    await expect(store.update('sample_vc_sd', { ...base, id: 'other' })).rejects.toThrow(
      'id: cannot be changed',
    );
    const csv = (file: string, keyColumn: string) => ({
      ...base,
      id: 'csv_sample',
      vct: 'urn:test:csv',
      provider: { type: 'csv', file, keyColumn },
    });
    await expect(store.create(csv('config/demo/none.csv', 'id'))).rejects.toThrow(
      'provider.file: cannot be read',
    );
    await expect(store.create(csv('config/demo/insurance-policies.csv', 'policy'))).rejects.toThrow(
      'provider.keyColumn: policy is not a column of the file',
    );
    await store.create(csv('config/demo/insurance-policies.csv', 'policy_number'));
  });

  it('a change on one instance reaches the cache of another within the recheck interval', async (context) => {
    if (!db) return context.skip();
    let now = 1_000_000;
    const clock = () => now;
    const writer = new ConfigurationStore(one.db);
    const reader = new CachedConfigurationSource(new ConfigurationStore(two.db), 1000, clock);
    await writer.create({ ...base, id: 'live', vct: 'urn:test:live' });
    expect((await reader.get('live'))?.display[0]?.name).toBe('Sample');
    const listed = await reader.list();
    // Cached: the same array until something changes.
    expect(await reader.list()).toBe(listed);

    await writer.update('live', {
      ...base,
      id: 'live',
      vct: 'urn:test:live',
      display: [{ name: 'Live', locale: 'en' }],
    });
    expect((await reader.get('live'))?.display[0]?.name).toBe('Sample'); // within the interval
    now += 1001;
    expect((await reader.get('live'))?.display[0]?.name).toBe('Live');

    await writer.setEnabled('live', false);
    now += 1001;
    expect(await reader.get('live')).toBeUndefined();
    expect((await reader.list()).some((c) => c.id === 'live')).toBe(false);
    await writer.setEnabled('live', true);
    now += 1001;
    expect((await reader.get('live'))?.id).toBe('live');
    // Nothing changed: the list is served from the cache (same object).
    const again = await reader.list();
    now += 1001;
    expect(await reader.list()).toBe(again);
  });
});
