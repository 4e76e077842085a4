// `npm run bench`: the credential endpoint under load (nonce + credential request per credential,
// tokens and proofs prepared up front), the same crypto steps alone in one process, their ratio,
// and full login flows per second. Prints a Markdown table for docs/benchmarks.md.
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as client from 'openid-client';
import { issueSdJwtVc } from '../src/credentials/formats/sd-jwt-vc/index.js';
import { AccessTokenVerifier } from '../src/issuer/access-token.js';
import { demoConfigurations, validateConfiguration } from '../src/issuer/configurations/index.js';
import { verifyJwtProof } from '../src/issuer/proofs/jwt-proof.js';
import { templateOf, toDocument } from '../src/issuer/templates/index.js';
import { LocalSigningKey } from '../src/platform/keys/index.js';
import { demoIdentities } from '../src/platform/registry/index.js';
import { AMARA, authorize, closeServer } from '../test/authz/helpers.js';
import { testConfig } from '../test/helpers/system.js';
import { loadCredentialEndpoint } from './credential-load.js';
import { formatSigningThroughput } from './formats.js';
import { fetchNonces, newHolders, obtainAccessTokens, signProof } from './prepare.js';
import { startServices, stopServices } from './services.js';

// `npm run bench -- <scenario>` runs one scenario instead (bench/<scenario>.ts): overload, durability.
const SCENARIOS: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  overload: () => import('./overload.js'),
  durability: () => import('./durability.js'),
};
const scenario = process.argv[2];
if (scenario) {
  const load = SCENARIOS[scenario];
  if (!load) throw new Error(`unknown bench scenario ${scenario} (${Object.keys(SCENARIOS).join(', ')})`);
  await (await load()).run();
  process.exit(0);
}

const CREDENTIALS = Number(process.env.BENCH_CREDENTIALS ?? 2000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const LOGIN_FLOWS = Number(process.env.BENCH_LOGIN_FLOWS ?? 50);
const FORMAT_SIGNATURES = Number(process.env.BENCH_FORMAT_SIGNATURES ?? 200);
const CONFIGURATION_ID = 'national_id_sd_jwt';

async function cryptoAlone(issuer: string, authzUrl: string, tokens: string[], proofs: string[]) {
  const verifier = new AccessTokenVerifier([authzUrl], issuer);
  await verifier.verify(tokens[0] as string); // discovery + JWKS fetched once, as in the service
  const issuerKey = await LocalSigningKey.generate('ES256');
  const configuration = demoConfigurations()
    .map(validateConfiguration)
    .find((c) => c.id === CONFIGURATION_ID);
  const person = demoIdentities()[0];
  if (!configuration || !person) throw new Error('demo configuration missing');
  const document = toDocument(configuration, await templateOf(configuration).render({ ...person }));
  if (document.kind !== 'sd-jwt') throw new Error('demo configuration is not SD-JWT');
  const claims = document.claims;
  const disclosable = document.disclosable.map((p) => (Array.isArray(p) ? p.join('.') : p));
  const started = performance.now();
  for (let i = 0; i < proofs.length; i++) {
    await verifier.verify(tokens[i % tokens.length] as string);
    const proof = await verifyJwtProof(proofs[i] as string, {
      audience: issuer,
      algorithms: ['ES256', 'EdDSA'],
      maxAgeSeconds: 3600,
    });
    const now = Math.floor(Date.now() / 1000);
    await issueSdJwtVc({
      issuerKey,
      issuer,
      vct: configuration.vct as string,
      claims,
      disclosable,
      holderJwk: proof.holderJwk,
      iat: now,
      exp: now + 3600,
    });
  }
  return proofs.length / ((performance.now() - started) / 1000);
}

async function loginFlows(
  config: Awaited<ReturnType<typeof testConfig>>['config'],
  rp: client.Configuration,
) {
  const started = performance.now();
  for (let i = 0; i < LOGIN_FLOWS; i++) {
    // prompt=consent: every flow shows and answers the consent page, as a first visit would.
    const run = await authorize(config, rp, AMARA, { prompt: 'consent' });
    await client.authorizationCodeGrant(
      rp,
      run.url,
      { pkceCodeVerifier: run.codeVerifier, expectedState: run.state },
      { resource: config.issuer.publicUrl },
    );
  }
  return LOGIN_FLOWS / ((performance.now() - started) / 1000);
}

const { config, dataDir } = await testConfig({
  services: ['authz', 'issuer'],
  overrides: { log: { level: 'warn' } },
});
const child = await startServices(config);
try {
  const issuer = config.issuer.publicUrl;
  const { tokens, rp, jwksServer } = await obtainAccessTokens(config, 8);
  try {
    const holders = await newHolders(100);
    const loadNonces = await fetchNonces(issuer, CREDENTIALS);
    const loadProofs = await Promise.all(
      loadNonces.map((nonce, i) => signProof(holders[i % holders.length] as never, issuer, nonce)),
    );
    const load = await loadCredentialEndpoint(issuer, tokens, loadProofs, {
      connections: CONNECTIONS,
      configurationId: CONFIGURATION_ID,
    });
    // autocannon's `amount` counts requests over all connections, so a connection may stop after its
    // nonce: up to CONNECTIONS credentials are never asked for. Anything else missing is a failure.
    if (
      load.failures.size > 0 ||
      load.errors > 0 ||
      load.timeouts > 0 ||
      load.credentials < CREDENTIALS - CONNECTIONS
    ) {
      throw new Error(
        `credential endpoint failures: ${JSON.stringify([...load.failures])}, connection errors ${load.errors}, timeouts ${load.timeouts}, got ${load.credentials}`,
      );
    }
    const alone = await cryptoAlone(issuer, config.authz.publicUrl, tokens, loadProofs);
    const flows = await loginFlows(config, rp);

    const f = (n: number, digits = 0) => n.toFixed(digits);
    const rows = [
      '| measure | value |',
      '| --- | --- |',
      `| credential endpoint (nonce + credential, ${CONNECTIONS} connections, ${CREDENTIALS} credentials) | ${f(load.perSecond)} credentials/s |`,
      `| latency per credential (nonce + credential), p50 / p99 | ${f(load.p50, 1)} ms / ${f(load.p99, 1)} ms |`,
      `| crypto alone, one process (token verify + proof verify + SD-JWT VC sign) | ${f(alone)} /s |`,
      `| ratio endpoint / crypto alone | ${f(load.perSecond / alone, 2)} |`,
      `| full login flows (authorize → login → consent → code → token), sequential | ${f(flows, 1)} flows/s |`,
      ...(await formatSigningThroughput(FORMAT_SIGNATURES)).map(
        (r) => `| signing alone, ${r.label} | ${f(r.perSecond)} credentials/s |`,
      ),
    ];
    process.stdout.write(`\n${rows.join('\n')}\n\nNode ${process.version}, ${new Date().toISOString()}\n`);
  } finally {
    await closeServer(jwksServer);
  }
} finally {
  await stopServices(child);
  rmSync(dataDir, { recursive: true, force: true });
}
