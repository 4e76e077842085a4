// `npm run bench -- durability`: the credential endpoint on SQLite with synchronous=FULL (the default:
// every commit fsynced before the 200) and with NORMAL, in the same run, on a file system that
// fsyncs (the data folder is created under bench/, not in a RAM-backed temp folder).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { testConfig } from '../test/helpers/system.js';
import { loadCredentialEndpoint } from './credential-load.js';
import { attestaTokens } from './credentials.js';
import { fetchNonces, newHolders, signProof } from './prepare.js';
import { processUsage, startServices, stopServices } from './services.js';

const CREDENTIALS = Number(process.env.BENCH_CREDENTIALS ?? 2000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const CONFIGURATION_ID = 'national_id_sd_jwt';

async function credentialsWith(synchronous: 'full' | 'normal') {
  const root = join(import.meta.dirname, 'data');
  mkdirSync(root, { recursive: true });
  process.env.TMPDIR = root; // testConfig puts the databases in a fresh folder under os.tmpdir()
  const { config, dataDir } = await testConfig({
    services: ['authz', 'issuer'],
    overrides: { log: { level: 'warn' } },
  });
  const issuerDb = `${config.issuer.database}${synchronous === 'normal' ? '?synchronous=normal' : ''}`;
  const child = await startServices({ ...config, issuer: { ...config.issuer, database: issuerDb } });
  try {
    const issuer = config.issuer.publicUrl;
    const tokens = await attestaTokens(config, 8);
    const holders = await newHolders(100);
    const nonces = await fetchNonces(issuer, CREDENTIALS);
    const proofs = await Promise.all(
      nonces.map((nonce, i) => signProof(holders[i % holders.length] as never, issuer, nonce)),
    );
    const before = processUsage(child.pid as number);
    const load = await loadCredentialEndpoint(issuer, tokens, proofs, {
      connections: CONNECTIONS,
      configurationId: CONFIGURATION_ID,
    });
    const after = processUsage(child.pid as number);
    if (load.failures.size > 0 || load.errors > 0 || load.timeouts > 0) {
      throw new Error(`credential endpoint failures: ${JSON.stringify([...load.failures])}`);
    }
    return { synchronous, ...load, cpuMsPerCredential: (after.cpuMs - before.cpuMs) / load.credentials };
  } finally {
    await stopServices(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const full = await credentialsWith('full');
  const normal = await credentialsWith('normal');
  const f = (n: number, digits = 0) => n.toFixed(digits);
  const row = (r: typeof full) =>
    `| ${r.synchronous.toUpperCase()} | ${f(r.perSecond)} | ${f(r.p50, 1)} / ${f(r.p99, 1)} ms | ${f(r.cpuMsPerCredential, 2)} |`;
  const rows = [
    `Credential endpoint (nonce + credential), SQLite WAL, ${CONNECTIONS} connections, ${CREDENTIALS} credentials`,
    '',
    '| synchronous | credentials/s | latency p50 / p99 | services CPU ms per credential |',
    '| --- | --- | --- | --- |',
    row(full),
    row(normal),
    '',
    `FULL / NORMAL: throughput ${f(full.perSecond / normal.perSecond, 2)}, CPU per credential ${f(full.cpuMsPerCredential / normal.cpuMsPerCredential, 2)}`,
  ];
  process.stdout.write(`\n${rows.join('\n')}\n\nNode ${process.version}, ${new Date().toISOString()}\n`);
}
