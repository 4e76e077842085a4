import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';
import { LoopbackBrowser } from '../helpers/loopback-browser.js';
import { metricValue, type ProcessSystem, startProcessSystem } from '../helpers/process-system.js';
import { freePort, testConfig } from '../helpers/system.js';

/**
 * The system as an operator runs it: `attesta start` in its own process on PostgreSQL (SQLite when
 * PostgreSQL is absent outside CI), logs at info on stdout, metrics on a management port behind a
 * token. People go through it — a credential, an insurance policy, a lockout, a wallet offer, a
 * refused token and proof, a revocation — and then the metrics and the logs are read as an
 * operator reads them.
 */
const AMARA = { individual_id: '5102030400', full_name: 'Amara Okafor', date_of_birth: '1970-03-13' };
const AMARA_PII = ['5102030400', 'Amara Okafor', 'Amara', 'Okafor', '1970-03-13', 'amara.okafor@example.org'];
const POLICY = { policy_number: 'POL-0700100', full_name: 'Amara Okafor', date_of_birth: '1970-03-13' };
const LUCAS = { individual_id: '5102031513', full_name: 'Lucas Moreau', date_of_birth: '1999-01-01' };
const LUCAS_PII = ['5102031513', 'Lucas Moreau', 'Moreau', '2002-09-04', '1999-01-01'];

let system: ProcessSystem;
let database: TestDatabase | undefined;
let dataDir = '';
let urls: { authz: string; issuer: string; portal: string };
let metricsUrl = '';
const metricsToken = randomBytes(24).toString('base64url');
/** Everything secret the test saw on the wire; none may reach the logs. */
const secrets = new Set<string>();
let before = '';
let after = '';
/** An OTLP/HTTP receiver (JSON encoding): what the process exports when tracing is configured. */
let collector: Server;
const exportedBodies: string[] = [];

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
}
function exportedSpans(): { service: string; span: OtlpSpan; attributes: Record<string, unknown> }[] {
  return exportedBodies.flatMap((body) =>
    (
      JSON.parse(body) as {
        resourceSpans: {
          resource: { attributes: { key: string; value: OtlpValue }[] };
          scopeSpans: { spans: OtlpSpan[] }[];
        }[];
      }
    ).resourceSpans.flatMap((resource) => {
      const service =
        resource.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
      return resource.scopeSpans.flatMap((scope) =>
        scope.spans.map((span) => ({
          service,
          span,
          attributes: Object.fromEntries(
            span.attributes.map((a) => [a.key, a.value.stringValue ?? a.value.intValue]),
          ),
        })),
      );
    }),
  );
}

async function scrape(): Promise<string> {
  const response = await fetch(metricsUrl, { headers: { authorization: `Bearer ${metricsToken}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

function delta(name: string, labels: Record<string, string>): number {
  return metricValue(after, name, labels) - metricValue(before, name, labels);
}

/** Query values of the URLs a browser went through (codes, state, nonce, PKCE challenge). */
function rememberQueryValues(hops: string[]): void {
  for (const hop of hops) {
    for (const value of new URL(hop).searchParams.values()) {
      if (/^[A-Za-z0-9_.~-]{16,}$/.test(value)) secrets.add(value);
    }
  }
}

async function signInJourney(browser: LoopbackBrowser, start: string, fields: Record<string, string>) {
  const hops: string[] = [];
  const login = await browser.follow(`${urls.portal}/start/${start}`, {}, hops);
  expect(login.status).toBe(200);
  const page = await browser.submit(await login.text(), /\/login$/, fields, hops);
  rememberQueryValues(hops);
  return page;
}

beforeAll(async () => {
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  collector = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      if (request.url === '/v1/traces') exportedBodies.push(body);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', () => resolve()));
  const address = collector.address();
  const collectorPort = typeof address === 'object' && address ? address.port : 0;
  const overrides = {
    metrics: { host: '127.0.0.1', port, token: metricsToken },
    tracing: { otlpEndpoint: `http://127.0.0.1:${collectorPort}/v1/traces`, sampleRatio: 1 },
  };
  let databases: Record<string, string> | undefined;
  if (await isPostgresAvailable()) {
    database = await createPostgresDatabase();
    databases = { authz: database.url, issuer: database.url, portal: database.url, registry: database.url };
  }
  const made = await testConfig({ databases, overrides });
  dataDir = made.dataDir;
  const config = { ...made.config, log: { level: 'info' as const } };
  // Two failures lock an ID (testConfig's authz overrides would be replaced by ours, so set it here).
  config.authz.login = { ...config.authz.login, lockout: { failures: 2, seconds: 600 } };
  urls = { authz: config.authz.publicUrl, issuer: config.issuer.publicUrl, portal: config.portal.publicUrl };
  system = await startProcessSystem(config, dataDir);
  secrets.add(system.masterKey);
  secrets.add(metricsToken);
}, 200_000);

afterAll(async () => {
  await system?.stop();
  collector?.close();
  await database?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('an operator watching a running system', () => {
  it('metrics are on the management port behind the token, never on the public listeners', async () => {
    for (const url of Object.values(urls)) expect((await fetch(`${url}/metrics`)).status).toBe(404);
    expect((await fetch(metricsUrl)).status).toBe(401);
    expect((await fetch(metricsUrl, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    before = await scrape();
  });

  it('people sign in, get credentials, get locked out, and tokens and proofs are refused', async () => {
    // A credential for Amara, shown and downloaded.
    const amara = new LoopbackBrowser();
    const shown = await signInJourney(amara, 'national_id_sd_jwt', AMARA);
    expect(shown.status).toBe(200);
    const credentialId = /\/credentials\/([A-Za-z0-9_-]{22})$/.exec(amara.url)?.[1] ?? '';
    expect(credentialId).not.toBe('');
    secrets.add(credentialId);
    const credentialPage = amara.url;
    const download = await amara.go(`${credentialPage}/download`);
    expect(download.status).toBe(200);
    secrets.add(await download.text());

    // Add to wallet: an offer with a pre-authorized code and a transaction code.
    const walletResponse = await amara.go(`${credentialPage}/wallet`, { method: 'POST' });
    const wallet = await walletResponse.text();
    expect(walletResponse.status, wallet.slice(0, 2000)).toBe(200);
    const offerUri = /data-offer-uri="([^"]+)"/.exec(wallet)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const txCode = /data-testid="tx-code">(\d+)</.exec(wallet)?.[1] ?? '';
    const offerUrl = new URL(offerUri).searchParams.get('credential_offer_uri') ?? '';
    secrets.add(offerUrl.split('/').pop() ?? '');
    const offer = (await (await fetch(offerUrl)).json()) as {
      grants: Record<string, { 'pre-authorized_code': string }>;
    };
    const preAuthorized =
      offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']?.['pre-authorized_code'] ?? '';
    secrets.add(preAuthorized);
    const asMetadata = (await (
      await fetch(`${urls.issuer}/.well-known/oauth-authorization-server`)
    ).json()) as {
      token_endpoint: string;
    };
    const token = (await (
      await fetch(asMetadata.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
          'pre-authorized_code': preAuthorized,
          tx_code: txCode,
        }),
      })
    ).json()) as { access_token: string };
    expect(token.access_token).toBeTruthy();
    secrets.add(token.access_token);

    // A proof that is not a JWT, with a valid token; then a token nobody issued.
    const credentialRequest = (authorization: string) =>
      fetch(`${urls.issuer}/credential`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({
          credential_configuration_id: 'national_id_sd_jwt',
          proofs: { jwt: ['eyJhbGciOiJFUzI1NiJ9.e30.c2ln'] },
        }),
      });
    const badProof = await credentialRequest(`Bearer ${token.access_token}`);
    expect(badProof.status).toBe(400);
    expect(((await badProof.json()) as { error: string }).error).toBe('invalid_proof');
    const forged = `eyJhbGciOiJFUzI1NiJ9.${Buffer.from('{"sub":"x"}').toString('base64url')}.c2ln`;
    const badToken = await credentialRequest(`Bearer ${forged}`);
    expect(badToken.status).toBe(401);

    // The insurance policy through its own realm.
    const policy = await signInJourney(new LoopbackBrowser(), 'insurance_policy_sd_jwt', POLICY);
    expect(await policy.text()).toContain('POL-0700100');

    // Lucas gets his birth date wrong twice: the second failure locks his ID.
    const lucas = new LoopbackBrowser();
    const form = await (await lucas.follow(`${urls.portal}/start/national_id_sd_jwt`)).text();
    const first = await lucas.submit(form, /\/login$/, LUCAS);
    const second = await lucas.submit(await first.text(), /\/login$/, LUCAS);
    expect(second.status).toBe(200);

    // An operator revokes Amara's credential through the admin API.
    const created = system.cli(['issuer', 'api-key', 'create', 'operations-test']);
    const apiKey = created.trim().split('\n').pop() ?? '';
    secrets.add(apiKey);
    const admin = (path: string, body: unknown) =>
      fetch(`${urls.issuer}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const found = (await (
      await admin('/admin/credentials/search', { subject: AMARA.individual_id })
    ).json()) as {
      credentials: { id: string; configurationId?: string }[];
    };
    const ledgerId = found.credentials[0]?.id ?? '';
    expect(ledgerId).not.toBe('');
    expect((await admin(`/admin/credentials/${ledgerId}/status`, { status: 'revoked' })).status).toBe(200);

    // A request that arrives with a W3C traceparent is logged with its trace id even with tracing off.
    await fetch(`${urls.issuer}/.well-known/openid-credential-issuer`, {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    // Every cookie value but oidc-provider's interaction ids (`_interaction`, `_interaction_resume`):
    // the same id is in the URL path (/interaction/:uid), authz logs it to correlate a sign-in, and it
    // is useless without its signature cookie (`….sig`), which is checked.
    for (const [name, value] of [...amara.cookieEntries(), ...lucas.cookieEntries()]) {
      if (!/^_interaction(_resume)?$/.test(name)) secrets.add(value);
    }
    after = await scrape();
  }, 120_000);

  it('the counters moved: requests by route and status, issuances, sign-ins, failures, lockouts, refusals, status changes', () => {
    expect(
      delta('attesta_http_requests_total', {
        service: 'issuer',
        method: 'POST',
        route: '/credential',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      delta('attesta_http_requests_total', { service: 'issuer', route: '/credential', status: '401' }),
    ).toBe(1);
    expect(
      delta('attesta_http_request_duration_seconds_count', { service: 'portal', route: '/callback' }),
    ).toBe(2);
    // oidc-provider's endpoints are labelled by their path prefix, not 'unmatched'.
    expect(
      delta('attesta_http_requests_total', { service: 'authz', route: '/token' }),
    ).toBeGreaterThanOrEqual(2);
    expect(delta('attesta_http_requests_total', { route: '/credentials/:id' })).toBeGreaterThanOrEqual(1);
    expect(
      delta('attesta_issuer_credentials_issued_total', {
        configuration: 'national_id_sd_jwt',
        format: 'dc+sd-jwt',
      }),
    ).toBe(1);
    expect(
      delta('attesta_issuer_credentials_issued_total', { configuration: 'insurance_policy_sd_jwt' }),
    ).toBe(1);
    expect(delta('attesta_authz_sign_ins_total', { factor: 'kbi' })).toBe(2);
    expect(delta('attesta_authz_sign_in_failures_total', { factor: 'kbi', reason: 'mismatch' })).toBe(2);
    expect(delta('attesta_authz_lockouts_total', { factor: 'kbi' })).toBe(1);
    expect(delta('attesta_protocol_refusals_total', { service: 'issuer', error: 'invalid_proof' })).toBe(1);
    expect(delta('attesta_protocol_refusals_total', { service: 'issuer', error: 'invalid_token' })).toBe(1);
    expect(delta('attesta_issuer_status_changes_total', { status: 'revoked' })).toBe(1);
    expect(delta('attesta_db_query_duration_seconds_count', { database: 'issuer' })).toBeGreaterThan(10);
    expect(metricValue(after, 'nodejs_eventloop_lag_seconds')).toBeGreaterThan(0);
    const iacaDays = metricValue(after, 'attesta_expiry_days', { service: 'issuer', name: 'mdoc-iaca' });
    expect(iacaDays).toBeGreaterThan(3000);
    expect(metricValue(after, 'attesta_expiry_days', { name: 'mdoc-document-signer' })).toBeGreaterThan(200);
    if (database) {
      expect(metricValue(after, 'attesta_db_pool_connections', { database: 'issuer', state: 'max' })).toBe(
        10,
      );
      expect(
        metricValue(after, 'attesta_db_pool_connections', { database: 'issuer', state: 'total' }),
      ).toBeGreaterThan(0);
    }
    // No raw path became a label value, and nothing secret is in the metrics.
    expect([...secrets].filter((secret) => after.includes(secret))).toEqual([]);
  });

  it('the logs: one JSON line per request, warnings for refusals and failed sign-ins, no PII and no secret', async () => {
    expect(await system.stop()).toBe(0);
    const output = system.output();
    const lines = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l.msg === 'request');
    const credential = requests.find(
      (l) => l.service === 'issuer' && l.route === '/credential' && l.status === 200,
    );
    expect(credential).toMatchObject({ level: 30, method: 'POST' });
    expect(typeof credential?.durationMs).toBe('number');
    expect(credential?.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(requests.find((l) => l.traceId === '4bf92f3577b34da6a3ce929d0e0e4736')).toMatchObject({
      service: 'issuer',
      route: '/.well-known/openid-credential-issuer',
    });
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings.filter((l) => l.msg === 'sign-in attempt failed')).toHaveLength(2);
    expect(warnings.filter((l) => l.msg === 'sign-in locked out')).toHaveLength(1);
    const refused = warnings.filter((l) => l.msg === 'request refused').map((l) => l.error);
    expect(refused).toEqual(expect.arrayContaining(['invalid_proof', 'invalid_token']));
    // Nothing else was worth a warning or an error in this run.
    expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);

    // Every log line (JSON); the start banner, which names the first demo person on purpose, is not a log.
    const logs = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .join('\n');
    const leaks = [...AMARA_PII, ...LUCAS_PII, 'POL-0700100', ...secrets].filter(
      (s) => s && logs.includes(s),
    );
    const where = leaks.map((leak) => logs.split('\n').find((l) => l.includes(leak)));
    expect(leaks, where.join('\n')).toEqual([]);
    expect([...secrets].filter((s) => output.includes(s))).toEqual([]);
    expect(secrets.size).toBeGreaterThan(10);
  });

  it('traces went to the OTLP endpoint: one issuance is one trace through the three services, with SQL', () => {
    const spans = exportedSpans();
    expect(spans.length).toBeGreaterThan(50);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['attesta']));
    const callbacks = spans.filter((s) => s.attributes['http.route'] === '/callback');
    // Two issuances went through the portal; a batch may be lost on a loaded machine (the exporter
    // gives up after its timeout), so at least one whole trace must have arrived.
    expect(callbacks.length).toBeGreaterThanOrEqual(1);
    for (const callback of callbacks) {
      const trace = spans.filter((s) => s.span.traceId === callback.span.traceId);
      const at = (service: string, route: string) =>
        trace.some(
          (s) => s.attributes['attesta.service'] === service && s.attributes['http.route'] === route,
        );
      expect(at('authz', '/token')).toBe(true);
      expect(at('issuer', '/nonce')).toBe(true);
      expect(at('issuer', '/credential')).toBe(true);
      const statements = trace.filter(
        (s) => s.attributes['db.system.name'] === 'postgresql' || s.attributes['db.system.name'] === 'sqlite',
      );
      expect([...new Set(statements.map((s) => s.attributes['db.namespace']))]).toEqual(
        expect.arrayContaining(['portal', 'authz', 'issuer']),
      );
    }
    // The request that came with a traceparent joined that trace.
    expect(spans.some((s) => s.span.traceId === '4bf92f3577b34da6a3ce929d0e0e4736')).toBe(true);
    // Nothing secret or personal left in the exported spans.
    const text = exportedBodies.join('\n');
    const leaks = [...AMARA_PII, ...LUCAS_PII, 'POL-0700100', ...secrets].filter(
      (s) => s && text.includes(s),
    );
    expect(leaks).toEqual([]);
  });
});
