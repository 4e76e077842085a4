import fastifyHelmet from '@fastify/helmet';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaderOptions } from '../../src/authz/security-headers.js';
import { authzForFile } from './helpers.js';

// Every header helmet 8 sets or removes (its README's list).
const HELMET_HEADERS = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-powered-by',
  'x-xss-protection',
];

const authz = authzForFile();
const issuer = () => authz.config.authz.publicUrl;

/** The form-action sources in a CSP (they follow the clients in the database). */
const formActionOf = (csp: string) => /(?:^|;)\s*form-action ([^;]*)/.exec(csp)?.[1] ?? '';

/** @fastify/helmet, registered as authz registered it before, on a bare Fastify: the reference. */
let reference: ReturnType<typeof Fastify>;
let sources = '';
beforeAll(async () => {
  reference = Fastify();
  await reference.register(
    fastifyHelmet,
    securityHeaderOptions(() => sources),
  );
  reference.get('/', async () => ({}));
  await reference.ready();
});
afterAll(() => reference.close());

const helmetHeaders = (headers: Headers | Record<string, unknown>) =>
  Object.fromEntries(
    HELMET_HEADERS.map((name) => [
      name,
      headers instanceof Headers ? headers.get(name) : ((headers[name] as string | undefined) ?? null),
    ]),
  );

describe("authz's security headers", () => {
  it.each([
    ['oidc-provider (discovery)', 'GET', '/.well-known/openid-configuration'],
    ['oidc-provider (an error of the token endpoint)', 'POST', '/token'],
    ["authz's own route (health)", 'GET', '/health/live'],
    ['an interaction page without its cookie', 'GET', '/interaction/unknown'],
    ['an unknown address', 'GET', '/no-such-page'],
  ])('are those @fastify/helmet sets with the same options: %s', async (_what, method, path) => {
    const response = await fetch(`${issuer()}${path}`, { method, redirect: 'manual' });
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    sources = formActionOf(csp);
    expect(sources).toContain("'self'");
    const expected = await reference.inject({ method: 'GET', url: '/' });
    expect(helmetHeaders(response.headers)).toEqual(helmetHeaders(expected.headers));
  });
});
