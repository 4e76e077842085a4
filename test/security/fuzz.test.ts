import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../src/issuer/admin/index.js';
import type { IssuanceTables } from '../../src/issuer/issuance/database.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { demoIdentities } from '../../src/platform/registry/index.js';
import { startTestSystem, type TestSystem } from '../helpers/system.js';
import { http, preAuthorizedCode, redeem } from '../issuer/helpers/protocol-client.js';
import { routesOf } from './admin-system.js';
import { type FuzzRequest, fuzzArbitraries } from './fuzz-requests.js';

/**
 * Fuzzes every public endpoint of the three running services (routes read from their Fastify
 * instances and from authz's OpenID discovery, so a new route is fuzzed the day it is added) with
 * fast-check, fixed seed. `ATTESTA_FUZZ_RUNS` sets the number of requests (`npm run fuzz -- --long`
 * sends 100,000); CI sends 1,200. Every answer must be a 4xx or below, carry no stack trace or
 * internal path, and repeat no person of the registry that the request did not name itself (or, for a
 * valid admin credential, that its holder sent earlier: the audit trail shows an admin its own input).
 */
const FUZZ_RUNS = Number(process.env.ATTESTA_FUZZ_RUNS ?? 1200);
const SEED = Number(process.env.ATTESTA_FUZZ_SEED ?? 15);

/** The demo registry's personal data: what no answer may carry unless the request sent it. */
const PII = demoIdentities().flatMap((p) => [p.individualId, p.fullName, p.birthDate]);

/** What a stack trace or a path inside the deployment looks like. */
const LEAKS: [string, RegExp][] = [
  ['stack frame', /\bat (?:async )?[\w$.<>[\] ]+ \([^)]*:\d+:\d+\)|\n\s+at \S/],
  ['source path', /\/src\/|\/dist\/\w|node_modules|\.(?:ts|js|mjs|cjs):\d+/],
  ['working directory', new RegExp(process.cwd().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))],
];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(base: URL, req: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.target,
        headers: { ...req.headers, ...(req.body ? { 'content-length': String(req.body.length) } : {}) },
        timeout: 15_000,
        insecureHTTPParser: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('no answer within 15 s')));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** Everything a request says, decoded, lower-cased: what its answer may repeat. */
function sentText(req: FuzzRequest): string {
  return `${decodeURIComponentSafe(req.target)} ${JSON.stringify(req.headers)} ${
    req.body ? decodeFormSafe(req.body.toString('utf8')) : ''
  }`.toLowerCase();
}

/**
 * Personal data each valid credential's holder sent so far: an admin reading the audit trail sees what
 * that admin itself sent earlier (e.g. an unknown configuration id it typed), which is no leak.
 */
const sentByCaller = new Map<string, Set<string>>();

function callerOf(req: FuzzRequest): string | undefined {
  return req.headers.authorization && sentByCaller.has(req.headers.authorization)
    ? req.headers.authorization
    : undefined;
}

function rememberSent(req: FuzzRequest): void {
  const caller = callerOf(req);
  if (!caller) return;
  const sent = sentText(req);
  for (const value of PII) if (sent.includes(value.toLowerCase())) sentByCaller.get(caller)?.add(value);
}

/** What is wrong with an answer, or undefined. */
function problem(req: FuzzRequest, answer: Answer): string | undefined {
  if (answer.status >= 500) return `status ${answer.status}`;
  for (const [name, pattern] of LEAKS) if (pattern.test(answer.body)) return name;
  const sent = sentText(req);
  const earlier = sentByCaller.get(callerOf(req) ?? '') ?? new Set<string>();
  const body = answer.body.toLowerCase();
  const leaked = PII.find(
    (value) =>
      body.includes(value.toLowerCase()) && !sent.includes(value.toLowerCase()) && !earlier.has(value),
  );
  if (leaked) {
    if (process.env.ATTESTA_FUZZ_DEBUG) {
      const at = body.indexOf(leaked.toLowerCase());
      process.stdout.write(`PII ${leaked}: ${answer.body.slice(Math.max(0, at - 400), at + 100)}\n`);
    }
    return 'personal data the request did not send';
  }
  const type = String(answer.headers['content-type'] ?? '');
  if (answer.status >= 400 && type.includes('json')) {
    try {
      const parsed = JSON.parse(answer.body) as { error?: unknown };
      if (typeof parsed.error !== 'string') return 'error JSON without an error code';
    } catch {
      return 'error answer that is not the JSON it says';
    }
  }
  return undefined;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

function decodeFormSafe(text: string): string {
  return `${text} ${decodeURIComponentSafe(text)}`;
}

interface Route {
  service: string;
  base: URL;
  method: string;
  path: string;
}

let system: TestSystem;
const routes: Route[] = [];
/** Credentials that pass authentication, so the fuzz reaches what runs after it. */
const validTokens: string[] = [];

beforeAll(async () => {
  system = await startTestSystem();
  for (const service of system.services) {
    const base = new URL(system.urls[service.name]);
    for (const route of routesOf(service.app)) {
      const [method, path] = route.split(' ') as [string, string];
      routes.push({ service: service.name, base, method, path });
    }
  }
  // oidc-provider's endpoints are not Fastify routes: take them from authz's discovery document.
  const authz = new URL(system.urls.authz);
  const discovery = (await (
    await fetch(new URL('/.well-known/openid-configuration', authz))
  ).json()) as Record<string, unknown>;
  const endpoints = Object.entries(discovery)
    .filter(([key, value]) => (key.endsWith('_endpoint') || key === 'jwks_uri') && typeof value === 'string')
    .map(([, value]) => new URL(value as string).pathname);
  for (const path of new Set([...endpoints, '/.well-known/openid-configuration'])) {
    for (const method of ['GET', 'POST']) routes.push({ service: 'authz', base: authz, method, path });
  }
  // An issuer admin API key (as `attesta issuer api-key create` makes it) and a person's access token
  // from a pre-authorized offer: some requests carry one of them, so admin and credential bodies are fuzzed too.
  const database = openDatabase<IssuanceTables>(system.config.issuer.database);
  const apiKey = (await new ApiKeyStore(database.db).create('fuzz')).key;
  await database.close();
  const issuer = system.urls.issuer;
  const offer = await http(`${issuer}/admin/offers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ credential_configuration_ids: ['national_id_sd_jwt'], subject: '5102030400' }),
  });
  const person = await redeem(issuer, preAuthorizedCode(offer));
  validTokens.push(apiKey, person.body?.access_token as string);
  for (const token of validTokens) sentByCaller.set(`Bearer ${token}`, new Set());
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

describe('fuzzing every public endpoint', () => {
  it('the checks catch a 5xx, a stack trace, an internal path and a person the request did not name', () => {
    const req: FuzzRequest = { method: 'GET', target: '/x?individual_id=5102030400', headers: {} };
    const ok = {
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: '{"error":"invalid_request"}',
    };
    expect(problem(req, ok)).toBeUndefined();
    expect(problem(req, { ...ok, status: 500 })).toBe('status 500');
    expect(
      problem(req, { ...ok, body: 'TypeError: x\n    at parse (file:///app/dist/issuer/a.js:3:9)' }),
    ).toBe('stack frame');
    expect(problem(req, { ...ok, body: '{"error":"x","error_description":"/app/node_modules/jose"}' })).toBe(
      'source path',
    );
    // The ID the request sent may come back; another person's name may not.
    expect(problem(req, { ...ok, body: '{"error":"x","error_description":"5102030400"}' })).toBeUndefined();
    expect(problem(req, { ...ok, body: '{"error":"x","error_description":"Lucas Moreau"}' })).toBe(
      'personal data the request did not send',
    );
    expect(problem(req, { ...ok, body: '{"error_description":"x"}' })).toBe(
      'error JSON without an error code',
    );
  });

  it('found the routes of all three services, oidc-provider included', () => {
    const paths = new Set(routes.map((r) => `${r.service} ${r.path}`));
    for (const expected of [
      'issuer /credential',
      'issuer /nonce',
      'issuer /token',
      'issuer /.well-known/openid-credential-issuer',
      'authz /token',
      'authz /auth',
      'authz /jwks',
      'portal /verify',
      'portal /',
    ]) {
      expect(paths).toContain(expected);
    }
    expect(routes.length).toBeGreaterThan(50);
  });

  it(
    `${FUZZ_RUNS} requests: no 5xx, no stack trace or internal path, no personal data not sent`,
    async () => {
      const requestFor = fuzzArbitraries(PII, validTokens);
      const arbitrary = fc
        .integer({ min: 0, max: routes.length - 1 })
        .chain((i) => requestFor(routes[i] as Route).map((req) => ({ route: routes[i] as Route, req })));
      const failures = new Map<string, { count: number; example: string }>();
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ route, req }) => {
          let answer: Answer;
          rememberSent(req);
          try {
            answer = await send(route.base, req);
          } catch (error) {
            answer = { status: 599, headers: {}, body: (error as Error).message };
          }
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          const found = problem(req, answer);
          if (found) {
            const key = `${route.service} ${route.method} ${route.path}: ${found}`;
            const seen = failures.get(key);
            if (seen) seen.count++;
            else
              failures.set(key, {
                count: 1,
                example: `${req.method} ${req.target.slice(0, 300)} ${JSON.stringify(req.headers)} ${
                  req.body?.toString('utf8').slice(0, 300) ?? ''
                } -> ${answer.status} ${answer.body.slice(0, 300)}`,
              });
          }
          return true; // failures are collected, so one run reports all of them
        }),
        { seed: SEED, numRuns: FUZZ_RUNS, endOnFailure: true },
      );
      const summary = [...statuses].sort(([a], [b]) => a - b);
      process.stdout.write(
        `fuzz: ${FUZZ_RUNS} requests over ${routes.length} routes, seed ${SEED}; statuses ${JSON.stringify(summary)}\n`,
      );
      expect(Object.fromEntries(failures)).toEqual({});
    },
    600_000 + FUZZ_RUNS * 50,
  );
});
