// `npm run bench -- variants` (issue 14 item 2, second half): one Attesta (1 worker, SQLite) driven by
// the credential bench's load client in alternating windows, one side per variant — dc+sd-jwt with a
// Bearer token (the baseline), with DPoP-bound tokens (a DPoP proof per request), a batch of 10 proofs,
// then jwt_vc_json, ldp_vc (eddsa-rdfc-2022) and mso_mdoc through the demo configurations — each with
// the raw cost of its own steps (bench/load/raw.js) and the ratio of its server CPU to that bound.
// ldp_vc's bound is token + proof (raw.js) plus RDFC-1.0 canonicalisation and the Ed25519 signature
// through the issuer's own signer (the Digital Bazaar suite, bench/formats.ts), measured in this process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  alternate,
  attestaSide,
  attestaTokenSet,
  CONNECTIONS,
  f,
  HOLDERS,
  machine,
  machineLine,
  reportErrors,
  SIDE_HEADER,
  type SideFigures,
  sideRows,
  startAttesta,
  startLoadClient,
  TOKENS,
  WARMUP_SECONDS,
  WINDOW_SECONDS,
  WINDOWS,
} from './credentials.js';
import { formatSigningThroughput } from './formats.js';
import { ensureBuilt } from './processes.js';

/** The demo people with a driving licence (the mdoc configuration's CSV, keyed by individual_id). */
const LICENSED = new Set(
  readFileSync(join(import.meta.dirname, '../config/demo/driving-licences.csv'), 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[0]),
);

const RDFC_CASE = 'ldp_vc (eddsa-rdfc-2022, VCDM 2.0, national_id_ldp_vc subject)';

interface Variant {
  name: string;
  configurationId: string;
  format: string;
  /** The raw.js kinds whose sum is this variant's bound; `rdfc` adds RDFC signing through the signer. */
  raw: string[];
  rdfc?: boolean;
  scope?: string;
  dpop?: boolean;
  batch?: number;
  /** The issuer key of jwt-vc-issuer metadata signs this format (ES256): check one signature in 16. */
  checkSignature?: boolean;
}

const VARIANTS: Variant[] = [
  {
    name: 'dc+sd-jwt, Bearer',
    configurationId: 'national_id_sd_jwt',
    format: 'dc+sd-jwt',
    raw: ['sd-jwt-bearer'],
    checkSignature: true,
  },
  {
    name: 'dc+sd-jwt, DPoP',
    configurationId: 'national_id_sd_jwt',
    format: 'dc+sd-jwt',
    raw: ['sd-jwt-dpop'],
    dpop: true,
    checkSignature: true,
  },
  {
    name: 'dc+sd-jwt, batch of 10',
    configurationId: 'national_id_sd_jwt',
    format: 'dc+sd-jwt',
    raw: ['sd-jwt-batch10'],
    batch: 10,
    checkSignature: true,
  },
  { name: 'jwt_vc_json', configurationId: 'national_id_jwt_vc', format: 'jwt_vc_json', raw: ['jwt-vc-json'] },
  {
    name: 'ldp_vc (eddsa-rdfc-2022)',
    configurationId: 'national_id_ldp_vc',
    format: 'ldp_vc',
    raw: ['token-proof'],
    rdfc: true,
  },
  {
    name: 'mso_mdoc',
    configurationId: 'driving_licence_mdoc',
    format: 'mso_mdoc',
    raw: ['mso-mdoc'],
    scope: 'driving_licence',
  },
];

/** `BENCH_VARIANTS=Bearer,DPoP`: only the variants whose name contains one of these. */
const CHOSEN = VARIANTS.filter(
  (v) => !process.env.BENCH_VARIANTS || process.env.BENCH_VARIANTS.split(',').some((s) => v.name.includes(s)),
);

export async function run(): Promise<void> {
  await ensureBuilt();
  const load = await startLoadClient();
  const attesta = await startAttesta({ issuerArgs: ['--workers', '1'] });
  let failed = false;
  try {
    const dpop = await attestaTokenSet(attesta.config, TOKENS, { dpop: true });
    const licences = await attestaTokenSet(attesta.config, TOKENS, {
      scope: 'driving_licence',
      who: (person) => LICENSED.has(String(person.individualId)),
    });
    const sides = CHOSEN.map((v) =>
      attestaSide(attesta, v.name, {
        configurationId: v.configurationId,
        format: v.format,
        ...(v.dpop ? dpop : {}),
        ...(v.scope ? licences : {}),
        ...(v.batch ? { batch: v.batch } : {}),
        ...(v.checkSignature ? {} : { issuerJwk: undefined }),
      }),
    );
    const started = machine();
    const figures = await alternate(load, sides);
    const kinds = [...new Set(CHOSEN.flatMap((v) => v.raw))];
    const raw = await load.ask<{ label: string; cpuMs: number }[]>({ raw: { kinds } });
    const rawMs = new Map(raw.map((r) => [r.label, r.cpuMs]));
    const [rdfc] = await formatSigningThroughput(Number(process.env.BENCH_FORMAT_SIGNATURES ?? 200), [
      RDFC_CASE,
    ]);
    const boundOf = (v: Variant) =>
      v.raw.reduce(
        (sum, kind) => sum + (rawMs.get(kind) ?? Number.NaN),
        v.rdfc ? (rdfc?.cpuMs ?? Number.NaN) : 0,
      );
    const rows = CHOSEN.map((v, i) => {
      const s = figures[i] as SideFigures;
      const bound = boundOf(v);
      const target = v.rdfc
        ? `; ${f(s.perSecond)}/s against the bound's ${f(1000 / bound)}/s on one core → ${f((100 * s.perSecond * bound) / 1000)} % of its rate (issue's target ≥ 60 %: ${f(600 / bound)}/s)`
        : '';
      return `| ${v.name} | ${f(s.perSecond)} | ${f(s.cpuMsPerOperation, 3)} | ${f(bound, 3)} (${v.raw.join(' + ')}${v.rdfc ? ' + RDFC sign' : ''}) | ${f(s.cpuMsPerOperation / bound, 2)}×${target} |`;
    });
    const out = [
      `Credential endpoint per variant: one Attesta (1 worker, SQLite), nonce + credential per request, ${CONNECTIONS} connections, ${HOLDERS} holder keys, ${TOKENS} tokens per variant, ${WINDOWS} × ${WINDOW_SECONDS} s windows per variant after ${WARMUP_SECONDS} s warm-up`,
      '',
      ...SIDE_HEADER,
      ...sideRows(figures),
      '',
      '| variant | credentials/s | server CPU ms per credential | raw bound ms per credential | CPU / bound |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
      '',
      `RDFC signing alone through the issuer's signer (${RDFC_CASE}): ${f(rdfc?.cpuMs ?? Number.NaN, 3)} ms CPU per credential.`,
      machineLine(started),
    ];
    process.stdout.write(`\n${out.join('\n')}\n`);
    if (reportErrors(figures)) failed = true;
  } finally {
    await load.stop();
    await attesta.stop();
  }
  if (failed) {
    process.stderr.write('bench: some responses were not a 200 with credentials bound to the proof keys\n');
    process.exitCode = 1;
  }
}
