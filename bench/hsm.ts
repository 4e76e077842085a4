// `npm run bench -- hsm`: credential signing through the issuer's signers with every issuer key in
// SoftHSM2 over PKCS#11, beside the same signers with sealed software keys, in one run (issue 19 §6).
// Per format: credentials/s and CPU ms per credential of each side in A B B A windows, the ratio, and
// the token signatures each credential needs; then the token's raw signature latency and its
// throughput over the session pool. docs/keys.md turns these into what a network HSM costs.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { exportJWK, generateKeyPair } from 'jose';
import type { Kysely } from 'kysely';
import { issuerMigrations } from '../src/issuer/database.js';
import { type IssuerFormats, type SignInput, setupIssuerFormats } from '../src/issuer/formats/index.js';
import { SD_JWT_KEY_PURPOSE } from '../src/issuer/formats/keys.js';
import { migrateToLatest, openDatabase } from '../src/platform/db/index.js';
import { KeyStore, MasterKey, openKeyBackends } from '../src/platform/keys/index.js';
import { generateTokenKey, Pkcs11SigningKey } from '../src/platform/keys/pkcs11/index.js';
import { createSoftHsmToken } from '../test/helpers/softhsm.js';
import { CASES } from './formats.js';

const PURPOSES = [
  'issuer-sd-jwt',
  'issuer-w3c-es256',
  'issuer-w3c-eddsa',
  'issuer-mdoc-ds',
  'issuer-mdoc-iaca',
];
const PIN_VARIABLE = 'BENCH_HSM_PIN';

/** Counts the signatures made in the token (each a PKCS#11 C_Sign round trip). */
let tokenSignatures = 0;
const tokenSign = Pkcs11SigningKey.prototype.sign;
Pkcs11SigningKey.prototype.sign = function (this: Pkcs11SigningKey, data: Uint8Array) {
  tokenSignatures++;
  return tokenSign.call(this, data);
};

interface Side {
  name: 'software' | 'hsm';
  formats: IssuerFormats;
  ms: number;
  cpuMs: number;
  count: number;
}

async function side(name: Side['name'], dir: string, master: MasterKey): Promise<Side> {
  const database = openDatabase(`sqlite:${join(dir, `${name}.sqlite`)}`);
  await migrateToLatest(database.db as Kysely<unknown>, 'issuer', issuerMigrations);
  // The software side never touches the token, even for purposes keys.pkcs11 lists.
  const keys = new KeyStore(database.db as never, master, name === 'software' ? { hsm: null } : {});
  const formats = await setupIssuerFormats({
    db: database.db as Kysely<unknown>,
    keys,
    publicUrl: 'https://issuer.example',
  });
  await keys.ensureActive(SD_JWT_KEY_PURPOSE, 'ES256');
  return { name, formats, ms: 0, cpuMs: 0, count: 0 };
}

async function window(s: Side, input: SignInput, count: number, concurrency: number): Promise<void> {
  const signer = s.formats.signers.get(input.configuration.format);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await signer.sign(input);
    }),
  );
  s.ms += performance.now() - started;
  const used = process.cpuUsage(cpu);
  s.cpuMs += (used.user + used.system) / 1000;
  s.count += count;
}

export async function run(): Promise<void> {
  const count = Number(process.env.BENCH_HSM_SIGNATURES ?? 100);
  const concurrency = Number(process.env.BENCH_HSM_CONCURRENCY ?? 1);
  const softhsm = createSoftHsmToken();
  process.env[PIN_VARIABLE] = softhsm.pin;
  const backends = await openKeyBackends({
    pkcs11: {
      module: softhsm.module,
      tokenLabel: softhsm.tokenLabel,
      pin: { env: PIN_VARIABLE },
      purposes: PURPOSES,
    },
  });
  const loads: number[] = [loadavg()[0] as number];
  try {
    const master = new MasterKey(randomBytes(32));
    const software = await side('software', softhsm.dir, master);
    const hsm = await side('hsm', softhsm.dir, master);
    const holderJwk = await exportJWK((await generateKeyPair('ES256')).publicKey);
    const validFrom = new Date(Math.floor(Date.now() / 3600_000) * 3600_000);
    const validUntil = new Date(validFrom.getTime() + 365 * 86_400_000);
    const rows = [
      `| format (signing alone, one process, c=${concurrency}) | software /s | SoftHSM2 /s | ratio HSM / software | CPU ms/credential software → HSM | token signatures per credential |`,
      '| --- | --- | --- | --- | --- | --- |',
    ];
    for (const { label, input } of CASES) {
      const full = { ...input, holderJwk, validFrom, validUntil } as SignInput;
      for (const s of [software, hsm]) {
        for (let i = 0; i < 10; i++) await s.formats.signers.get(input.configuration.format).sign(full); // warm-up
        Object.assign(s, { ms: 0, cpuMs: 0, count: 0 });
      }
      process.stderr.write(`${label}…\n`);
      const before = tokenSignatures;
      for (const s of [software, hsm, hsm, software]) await window(s, full, count / 2, concurrency);
      const perCredential = (tokenSignatures - before) / hsm.count;
      const rate = (s: Side) => s.count / (s.ms / 1000);
      rows.push(
        `| ${label} | ${rate(software).toFixed(0)} | ${rate(hsm).toFixed(0)} | ${(rate(hsm) / rate(software)).toFixed(2)} | ${(software.cpuMs / software.count).toFixed(2)} → ${(hsm.cpuMs / hsm.count).toFixed(2)} | ${perCredential.toFixed(2)} |`,
      );
      loads.push(loadavg()[0] as number);
    }

    // The token alone: one signature's latency (sequential) and throughput over the session pool.
    const token = backends.token as NonNullable<typeof backends.token>;
    const raw = [
      '| token signature (SoftHSM2, 4 sessions) | sequential ms/signature | c=8 signatures/s |',
      '| --- | --- | --- |',
    ];
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const made = await generateTokenKey(token, alg, `bench-${alg}`);
      const key = await Pkcs11SigningKey.of(token, made.ref, alg, made.publicJwk);
      const data = randomBytes(600);
      for (let i = 0; i < 20; i++) await key.sign(data);
      let started = performance.now();
      for (let i = 0; i < count * 2; i++) await key.sign(data);
      const sequentialMs = (performance.now() - started) / (count * 2);
      started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next++ < count * 4) await key.sign(data);
        }),
      );
      const parallel = (count * 4) / ((performance.now() - started) / 1000);
      raw.push(`| ${alg} | ${sequentialMs.toFixed(2)} | ${parallel.toFixed(0)} |`);
    }
    loads.push(loadavg()[0] as number);
    // Written before run.ts exits the process (a pipe is written asynchronously).
    await new Promise((resolve) =>
      process.stdout.write(
        `\n${rows.join('\n')}\n\n${raw.join('\n')}\n\n${count} credentials per format and side (A B B A windows), Node ${process.version}, SoftHSM2 file store, 1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}, ${new Date().toISOString()}\n`,
        resolve,
      ),
    );
  } finally {
    backends.close();
    softhsm.cleanup();
  }
}
