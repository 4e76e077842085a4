import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../src/platform/tracing/index.js';
import { LoopbackBrowser } from '../helpers/loopback-browser.js';
import type { TestSystem } from '../helpers/system.js';

/**
 * One person's issuance is one trace across the three services: the portal's callback calls authz's
 * token endpoint and the issuer's nonce and credential endpoints, W3C traceparent carries the trace
 * over each hop, and the database statements of every service sit inside it.
 */
const AMARA = { individual_id: '5102030400', full_name: 'Amara Okafor', date_of_birth: '1970-03-13' };
const exporter = new InMemorySpanExporter();
let tracing: Tracing | undefined;
let system: TestSystem;

beforeAll(async () => {
  // Before the services load, as `attesta` does at start.
  tracing = await startTracing({
    otlpEndpoint: '',
    sampleRatio: 1,
    serviceName: 'attesta',
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const { startTestSystem } = await import('../helpers/system.js');
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
  await tracing?.shutdown();
});

const attr = (span: ReadableSpan, name: string) => span.attributes[name];
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('a trace across portal, authz and issuer', () => {
  it('the issuance is one trace from the portal callback down to each service and its database', async () => {
    const browser = new LoopbackBrowser();
    const hops: string[] = [];
    const login = await browser.follow(`${system.urls.portal}/start/national_id_sd_jwt`, {}, hops);
    const page = await browser.submit(await login.text(), /\/login$/, AMARA, hops);
    expect(page.status).toBe(200);
    expect(browser.url).toMatch(/\/credentials\/[A-Za-z0-9_-]{22}$/);
    // What must not leave in a span: codes, state, request_uri, ids in our paths, the person's details.
    const secrets = [...Object.values(AMARA), 'Amara', 'Okafor'];
    for (const hop of [...hops, browser.url]) {
      const url = new URL(hop);
      for (const value of url.searchParams.values())
        if (/^[A-Za-z0-9_.~:-]{16,}$/.test(value)) secrets.push(value);
      for (const segment of url.pathname.split('/')) if (segment.length >= 20) secrets.push(segment);
    }
    expect(secrets.length).toBeGreaterThan(6);

    const spans = exporter.getFinishedSpans();
    const callback = spans.find(
      (s) => attr(s, 'attesta.service') === 'portal' && attr(s, 'http.route') === '/callback',
    );
    expect(callback).toBeDefined();
    if (!callback) return;
    const traceId = callback.spanContext().traceId;
    const trace = spans.filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(trace.map((s) => [s.spanContext().spanId, s]));
    // The test's own fetch is instrumented too: the "browser's" request is the root, nothing above it.
    const root = byId.get(parentOf(callback) ?? '');
    expect(root?.kind).toBe(2 /* SpanKind.CLIENT */);
    expect(root && parentOf(root)).toBeUndefined();

    const server = (service: string, route: string) =>
      trace.find((s) => attr(s, 'attesta.service') === service && attr(s, 'http.route') === route);
    const token = server('authz', '/token');
    const nonce = server('issuer', '/nonce');
    const credential = server('issuer', '/credential');
    expect(token, 'authz token endpoint in the trace').toBeDefined();
    expect(nonce, 'issuer nonce endpoint in the trace').toBeDefined();
    expect(credential, 'issuer credential endpoint in the trace').toBeDefined();
    expect(credential?.name).toBe('POST /credential');

    // Each hop is a client span of the portal whose child is the peer's server span.
    for (const hop of [token, nonce, credential]) {
      const client = byId.get(parentOf(hop as ReadableSpan) ?? '');
      expect(client?.kind).toBe(2 /* SpanKind.CLIENT */);
    }
    // Every span of the trace but the root leads back to the callback.
    for (const span of trace.filter((s) => s !== root)) {
      let cursor: ReadableSpan | undefined = span;
      for (let i = 0; i < 20 && cursor && cursor !== callback; i++) cursor = byId.get(parentOf(cursor) ?? '');
      expect(cursor, span.name).toBe(callback);
    }

    // Database statements of the three services, inside the trace, with placeholders and no values.
    const statements = trace.filter((s) => attr(s, 'db.system.name') === 'sqlite');
    const databases = new Set(statements.map((s) => attr(s, 'db.namespace')));
    expect([...databases]).toEqual(expect.arrayContaining(['portal', 'authz', 'issuer']));
    const ledger = statements.find((s) =>
      String(attr(s, 'db.query.text')).includes('insert into "issuer_ledger"'),
    );
    expect(ledger, 'the ledger insert of the issuance').toBeDefined();
    expect(ledger?.attributes['db.operation.name']).toBe('INSERT');
    for (const statement of statements) {
      expect(String(attr(statement, 'db.query.text'))).not.toContain(AMARA.individual_id);
      expect(String(attr(statement, 'db.query.text'))).not.toContain('Okafor');
    }
    // Every span the services made (the test's own root requests play the browser, which has no tracer).
    const services = spans.filter((span) => !(span.kind === 2 && parentOf(span) === undefined));
    const exported = services.map((span) => JSON.stringify([span.name, span.attributes]));
    const leaks = secrets.flatMap((secret) => exported.filter((e) => e.includes(secret)));
    expect(leaks).toEqual([]);
    expect(callback.attributes['url.path']).toBe('/callback');
    expect(callback.attributes['url.query']).toBeUndefined();

    // The issuer's statements of the credential request are children of its server span.
    const issuerStatements = statements.filter((s) => attr(s, 'db.namespace') === 'issuer');
    expect(issuerStatements.some((s) => parentOf(s) === credential?.spanContext().spanId)).toBe(true);
  });

  it('probes and scrapes are not traced', async () => {
    exporter.reset();
    await fetch(`${system.urls.issuer}/health/ready`);
    await fetch(`${system.urls.issuer}/health/live`);
    // A request that is traced, in the same window: the exporter sees this window's spans.
    await fetch(`${system.urls.issuer}/.well-known/openid-credential-issuer`);
    // Only the issuer's spans of this window: the issuer's revocation-feed read at authz (every 2 s)
    // may fall into it and is rightly traced.
    const paths = exporter
      .getFinishedSpans()
      .filter((s) => s.kind === 1 /* SpanKind.SERVER */ && attr(s, 'attesta.service') === 'issuer')
      .map((s) => attr(s, 'url.path'));
    expect(paths).toEqual(['/.well-known/openid-credential-issuer']);
  });
});
