import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import * as client from 'openid-client';
import { ApiKeyStore } from '../../src/issuer/admin/index.js';
import type { IssuanceTables } from '../../src/issuer/issuance/database.js';
import type { AuthzClientConfig, Config } from '../../src/platform/config/index.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { type RunningSystem, startSystem } from '../../src/system.js';
import { type ClientKey, generateClientKey } from '../authz/helpers.js';
import { rpFor, serverMetadata } from '../authz/protocol-setup.js';
import { testConfig } from '../helpers/system.js';

/**
 * Machine clients of authz, one per scope an attacker might hold (client_credentials, private_key_jwt).
 * The scope strings are the ones docs/security.md and docs/issuance-data.md name.
 */
export const SCOPE_CLIENTS = {
  'issuer-admin': 'issuer:admin',
  'issuer-offers': 'issuer:offers',
  'issuer-offer-claims': 'issuer:offers:claims',
  'credential-scope': 'national_id',
  'authz-admin': 'authz:admin',
} as const;
export type ScopeClient = keyof typeof SCOPE_CLIENTS;

export interface AdminSystem {
  config: Config;
  system: RunningSystem;
  authz: string;
  issuer: string;
  /** A client-credentials access token of that client for its scope (audience chosen by authz). */
  token(clientId: ScopeClient): Promise<string>;
  /** An issuer admin API key, made as `attesta issuer api-key create` makes it. */
  apiKey: string;
  stop(): Promise<void>;
}

/** authz and the issuer (real services, SQLite), with one client per scope and an issuer API key. */
export async function startAdminSystem(overrides: Record<string, unknown> = {}): Promise<AdminSystem> {
  const test = await testConfig({ services: ['authz', 'issuer'], overrides });
  const keys = new Map<ScopeClient, ClientKey>();
  const records: AuthzClientConfig[] = [];
  for (const [id, scope] of Object.entries(SCOPE_CLIENTS) as [ScopeClient, string][]) {
    const key = await generateClientKey();
    keys.set(id, key);
    records.push({
      client_id: id,
      redirect_uris: [],
      jwks: { keys: [key.publicJwk as Record<string, unknown>] },
      scope,
      grant_types: ['client_credentials'],
    });
  }
  test.config.authz.clients.push(...records);
  const system = await startSystem(test.config, ['authz', 'issuer']);
  const database = openDatabase<IssuanceTables>(test.config.issuer.database);
  const apiKey = (await new ApiKeyStore(database.db).create('security tests')).key;
  await database.close();
  const server = await serverMetadata(test.config);
  const issuer = test.config.issuer.publicUrl;
  return {
    config: test.config,
    system,
    authz: test.config.authz.publicUrl,
    issuer,
    apiKey,
    async token(id) {
      const scope = SCOPE_CLIENTS[id];
      const rp = rpFor(server, id, keys.get(id) as ClientKey);
      const parameters: Record<string, string> = { scope };
      // authz's own admin API is the default resource of authz:admin; the others are the issuer's.
      if (scope !== 'authz:admin') parameters.resource = issuer;
      return (await client.clientCredentialsGrant(rp, parameters)).access_token;
    },
    async stop() {
      await system.stop();
      rmSync(test.dataDir, { recursive: true, force: true });
    },
  };
}

/** `METHOD /path` of every route of an app, from Fastify's route tree (HEAD mirrors GET). */
export function routesOf(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    const depth = Math.round((at - 1) / 4);
    const match = /^(\S+) \(([^)]*)\)$/.exec(line.slice(at + 3).trim());
    const segment = match ? (match[1] as string) : line.slice(at + 3).trim();
    stack.length = depth;
    stack.push(segment);
    if (!match) continue;
    const path = stack.join('');
    for (const method of (match[2] as string).split(', ')) {
      if (method !== 'HEAD' && method !== 'OPTIONS') routes.push(`${method} ${path}`);
    }
  }
  return routes.sort();
}

/** Every route under /admin. */
export function adminRoutes(app: FastifyInstance): string[] {
  return routesOf(app).filter((route) => route.split(' ')[1]?.startsWith('/admin'));
}
