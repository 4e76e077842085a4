import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, preAuthorizedCode, redeem } from '../issuer/helpers/protocol-client.js';
import {
  type AdminSystem,
  adminRoutes,
  SCOPE_CLIENTS,
  type ScopeClient,
  startAdminSystem,
} from './admin-system.js';

/**
 * Every admin route of the issuer and of authz, called with every kind of credential an attacker
 * might hold. A refusal must be 401/403 in the protocol's JSON, before the route does anything; an
 * allowed call must pass the guard (whatever the route then answers to our dummy input). Routes are
 * read from the running services, so a new admin route is in the matrix the day it is added.
 */
let sys: AdminSystem;
const credentials = new Map<string, string | undefined>();

type Service = 'issuer' | 'authz';
const ALLOWED: Record<Service, (route: string) => string[]> = {
  issuer: (route) => [
    'issuer-admin',
    'api-key',
    ...(route === 'POST /admin/offers' ? ['issuer-offers', 'issuer-offer-claims'] : []),
  ],
  authz: () => ['authz-admin'],
};

function concrete(path: string): string {
  return path
    .replace(':clientId', 'no-such-client')
    .replace(':listId', 'no-such-list')
    .replace(':idx', '1')
    .replace(':id', 'no-such-id');
}

/** A token with every right claim, signed by a key authz never had. */
async function forgedToken(audience: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ scope: 'issuer:admin authz:admin', client_id: 'issuer-admin' })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'attacker' })
    .setIssuer(sys.authz)
    .setSubject('issuer-admin')
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

beforeAll(async () => {
  sys = await startAdminSystem();
  credentials.set('none', undefined);
  credentials.set('other-scheme', 'Basic YWRtaW46YWRtaW4=');
  credentials.set('malformed', 'Bearer not.a.token');
  credentials.set('api-key', `Bearer ${sys.apiKey}`);
  credentials.set('api-key-tampered', `Bearer ${sys.apiKey.slice(0, -6)}AAAAAA`);
  for (const id of Object.keys(SCOPE_CLIENTS) as ScopeClient[]) {
    credentials.set(id, `Bearer ${await sys.token(id)}`);
  }
  // A person's access token (sub = the person), from the issuer's own pre-authorized grant.
  const offer = await http(`${sys.issuer}/admin/offers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sys.apiKey}` },
    body: JSON.stringify({ credential_configuration_ids: ['national_id_sd_jwt'], subject: '5102030400' }),
  });
  const person = await redeem(sys.issuer, preAuthorizedCode(offer));
  credentials.set('person-token', `Bearer ${person.body?.access_token as string}`);
});
afterAll(async () => {
  await sys?.stop();
});

interface Outcome {
  route: string;
  kind: string;
  status: number;
}

async function call(base: string, route: string, authorization: string | undefined) {
  const [method, path] = route.split(' ') as [string, string];
  const headers: Record<string, string> = {};
  if (authorization) headers.authorization = authorization;
  let body: string | undefined;
  if (method !== 'GET' && method !== 'DELETE') {
    headers['content-type'] = 'application/json';
    body = '{}';
  }
  return http(`${base}${concrete(path)}`, { method, headers, body });
}

async function auditCounts(service: Service): Promise<{ allowed: number; refused: number }> {
  const admin = service === 'issuer' ? `Bearer ${sys.apiKey}` : credentials.get('authz-admin');
  const base = service === 'issuer' ? sys.issuer : sys.authz;
  const headers = { authorization: admin as string };
  const audit = await http(`${base}/admin/audit?limit=${service === 'issuer' ? 500 : 1000}`, { headers });
  const entries = (audit.body?.entries ?? []) as { outcome?: string; detail?: { outcome?: string } }[];
  const refusals = await http(`${base}/admin/audit/refusals?limit=500`, { headers });
  const rows = (refusals.body?.refusals ?? []) as { calls: number }[];
  return {
    allowed: entries.filter((e) => (e.outcome ?? e.detail?.outcome) === 'allowed').length,
    refused: rows.reduce((n, row) => n + row.calls, 0),
  };
}

describe.each(['issuer', 'authz'] as const)('the %s admin API × every credential', (service) => {
  it('admits exactly the expected callers on every route, refuses the rest in the protocol’s JSON, and audits each call', async () => {
    const app = sys.system.services.find((s) => s.name === service)?.app as FastifyInstance;
    const routes = adminRoutes(app);
    expect(routes.length).toBeGreaterThanOrEqual(service === 'issuer' ? 15 : 8);
    const base = service === 'issuer' ? sys.issuer : sys.authz;
    // A forged token for this service's audience: every right claim, an unknown signing key.
    const audience = service === 'issuer' ? sys.issuer : `${sys.authz}/admin`;
    const kinds = new Map([...credentials, ['forged', `Bearer ${await forgedToken(audience)}`]]);
    const before = await auditCounts(service);
    const outcomes: Outcome[] = [];
    const wrong: string[] = [];
    for (const route of routes) {
      for (const [kind, authorization] of kinds) {
        const result = await call(base, route, authorization);
        outcomes.push({ route, kind, status: result.status });
        const allowed = ALLOWED[service](route).includes(kind);
        const refused = result.status === 401 || result.status === 403;
        if (allowed === refused) wrong.push(`${route} with ${kind}: ${result.status} ${result.text}`);
        expect(result.status).toBeLessThan(500);
        expect(result.text).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|\/work\//);
        if (refused) {
          expect(Object.keys(result.body ?? {}).sort()).toEqual(['error', 'error_description']);
          expect(result.headers.get('www-authenticate')).toMatch(/^Bearer/);
          expect(result.headers.get('cache-control')).toBe('no-store');
        }
      }
    }
    expect(wrong).toEqual([]);
    // Every call is in the audit trail: allowed ones one row each, refused ones counted.
    const after = await auditCounts(service);
    const allowedCalls = outcomes.filter((o) => o.status !== 401 && o.status !== 403).length;
    const refusedCalls = outcomes.length - allowedCalls;
    // +2: the first refusals read, and the second audit read (its row is written before it lists).
    expect(after.allowed - before.allowed).toBe(allowedCalls + 2);
    expect(after.refused - before.refused).toBe(refusedCalls);
  });
});
