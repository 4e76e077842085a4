// Signing throughput per format and suite, in one process, through the same signers the issuer
// uses (keys through the key interface, an in-memory SQLite key store, the mdoc IACA created once).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { exportJWK, generateKeyPair } from 'jose';
import type { Kysely } from 'kysely';
import { issuerMigrations } from '../src/issuer/database.js';
import { type SignInput, setupIssuerFormats } from '../src/issuer/formats/index.js';
import { migrateToLatest, openDatabase } from '../src/platform/db/index.js';
import { KeyStore, MasterKey } from '../src/platform/keys/index.js';
import { MDL_DOCTYPE, MDL_ELEMENTS, MDL_NAMESPACE } from '../test/helpers/demo-records.js';

export const CASES: { label: string; input: Omit<SignInput, 'holderJwk' | 'validFrom' | 'validUntil'> }[] =
  [];
const SUBJECT = {
  given_name: 'Amara',
  family_name: 'Okafor',
  birthdate: '1970-03-13',
  nationalities: ['NG'],
};
const BITSTRING = {
  kind: 'bitstring-status-list' as const,
  statusPurpose: 'revocation' as const,
  statusListIndex: '4711',
  statusListCredential: 'https://issuer.example/status/bitstring/1',
};
CASES.push({
  label: 'dc+sd-jwt (ES256, 4 disclosures)',
  input: {
    configuration: { id: 'b', format: 'dc+sd-jwt', vct: 'urn:example:id:1' },
    document: {
      kind: 'sd-jwt',
      claims: SUBJECT,
      disclosable: ['given_name', 'family_name', 'birthdate', ['nationalities', null]],
    },
    status: [{ kind: 'token-status-list', idx: 4711, uri: 'https://issuer.example/status/token/1' }],
  },
});
for (const alg of ['ES256', 'EdDSA'] as const) {
  // jwt_vc_json is the VCDM 1.1 JWT encoding; VCDM 2.0 with JOSE is vc+jwt (docs/formats.md).
  for (const [format, dataModel] of [
    ['vc+jwt', '2.0'],
    ['jwt_vc_json', '1.1'],
  ] as const) {
    CASES.push({
      label: `${format} (${alg}, VCDM ${dataModel})`,
      input: {
        configuration: { id: 'b', format, signingAlg: alg, dataModel },
        document: {
          kind: 'w3c',
          dataModel,
          contexts: [],
          types: ['NationalIdCredential'],
          credentialSubject: SUBJECT,
        },
        status: [BITSTRING],
      },
    });
  }
}
for (const suite of [
  'eddsa-rdfc-2022',
  'ecdsa-rdfc-2019',
  'eddsa-jcs-2022',
  'Ed25519Signature2020',
] as const) {
  CASES.push({
    label: `ldp_vc (${suite}, VCDM 2.0)`,
    input: {
      configuration: { id: 'b', format: 'ldp_vc', proofSuite: suite, dataModel: '2.0' },
      document: {
        kind: 'w3c',
        dataModel: '2.0',
        contexts: [],
        types: ['NationalIdCredential'],
        credentialSubject: SUBJECT,
      },
      status: [BITSTRING],
    },
  });
}
// The subject of the demo's national_id_ldp_vc (template national-id-w3c-v1): the variants bench's RDFC bound.
CASES.push({
  label: 'ldp_vc (eddsa-rdfc-2022, VCDM 2.0, national_id_ldp_vc subject)',
  input: {
    configuration: { id: 'b', format: 'ldp_vc', proofSuite: 'eddsa-rdfc-2022', dataModel: '2.0' },
    document: {
      kind: 'w3c',
      dataModel: '2.0',
      contexts: [],
      types: ['NationalIdCredential'],
      credentialSubject: {
        givenName: 'Amara',
        familyName: 'Okafor',
        birthDate: '1970-03-13',
        gender: 'female',
        nationality: 'NG',
        address: {
          streetAddress: '13 Harbour Road',
          addressLocality: 'Lagos',
          postalCode: '19494',
          addressCountry: 'NG',
        },
      },
    },
    status: [BITSTRING],
  },
});
CASES.push({
  label: 'mso_mdoc (mDL, ES256, 11 elements)',
  input: {
    configuration: { id: 'b', format: 'mso_mdoc', doctype: MDL_DOCTYPE },
    document: {
      kind: 'mdoc',
      docType: MDL_DOCTYPE,
      namespaces: { [MDL_NAMESPACE]: MDL_ELEMENTS },
    },
  },
});

/**
 * Credentials signed per second for each format and suite (`count` each, sequential, after a warm-up),
 * and the CPU ms of this process per credential; `labels` picks cases (default: all).
 */
export async function formatSigningThroughput(
  count: number,
  labels?: string[],
): Promise<{ label: string; perSecond: number; cpuMs: number }[]> {
  const database = openDatabase('sqlite::memory:');
  try {
    await migrateToLatest(database.db as Kysely<unknown>, 'issuer', issuerMigrations);
    const keys = new KeyStore(database.db as never, new MasterKey(randomBytes(32)));
    const formats = await setupIssuerFormats({
      db: database.db as Kysely<unknown>,
      keys,
      publicUrl: 'https://issuer.example',
    });
    const holderJwk = await exportJWK((await generateKeyPair('ES256')).publicKey);
    const validFrom = new Date(Math.floor(Date.now() / 3600_000) * 3600_000);
    const validUntil = new Date(validFrom.getTime() + 365 * 86_400_000);
    const results = [];
    for (const { label, input } of CASES.filter((c) => !labels || labels.includes(c.label))) {
      const signer = formats.signers.get(input.configuration.format);
      const full = { ...input, holderJwk, validFrom, validUntil };
      for (let i = 0; i < Math.min(20, count); i++) await signer.sign(full); // warm-up (JIT, key cache)
      const started = performance.now();
      const cpu = process.cpuUsage();
      for (let i = 0; i < count; i++) await signer.sign(full);
      const used = process.cpuUsage(cpu);
      results.push({
        label,
        perSecond: count / ((performance.now() - started) / 1000),
        cpuMs: (used.user + used.system) / 1000 / count,
      });
    }
    return results;
  } finally {
    await database.close();
  }
}

/** `npm run bench -- formats`: the table of signing alone. */
export async function run(): Promise<void> {
  const count = Number(process.env.BENCH_FORMAT_SIGNATURES ?? 200);
  const rows = ['| format (signing alone, one process) | credentials/s |', '| --- | --- |'];
  for (const r of await formatSigningThroughput(count))
    rows.push(`| ${r.label} | ${r.perSecond.toFixed(0)} |`);
  process.stdout.write(`\n${rows.join('\n')}\n\nNode ${process.version}, ${new Date().toISOString()}\n`);
}
