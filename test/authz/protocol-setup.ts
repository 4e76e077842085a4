import { rmSync } from 'node:fs';
import * as client from 'openid-client';
import { afterAll, beforeAll } from 'vitest';
import type { AuthzClientConfig, Config } from '../../src/platform/config/index.js';
import { testConfig } from '../helpers/system.js';
import {
  AMARA,
  type AuthorizationRun,
  type AuthzUnderTest,
  authorize,
  type Browser,
  type ClientKey,
  generateClientKey,
  startAuthz,
} from './helpers.js';

/** Callback and logout URIs of the test clients: nothing listens there; the browser stops at them. */
export const FAPI_REDIRECT = 'http://localhost:9/fapi/cb';
export const FAPI_LOGOUT = 'http://localhost:9/fapi/bye';
export const RP_REDIRECT = 'http://localhost:9/rp/cb';

export interface TestClients {
  /** PAR and DPoP required, refresh tokens, private_key_jwt with inline keys. */
  fapi: { id: 'fapi'; key: ClientKey };
  /** Plain code flow (no PAR, no DPoP, no refresh), userinfo as a signed JWT. */
  rp: { id: 'rp'; key: ClientKey };
  /** client_credentials only: authz's admin API and the issuer's. */
  admin: { id: 'admin'; key: ClientKey };
}

const jwks = (key: ClientKey) => ({ keys: [key.publicJwk as Record<string, unknown>] });

/** Adds the test clients to a test configuration (seeded into authz's database at start). */
export async function addTestClients(config: Config): Promise<TestClients> {
  const clients: TestClients = {
    fapi: { id: 'fapi', key: await generateClientKey() },
    rp: { id: 'rp', key: await generateClientKey() },
    admin: { id: 'admin', key: await generateClientKey() },
  };
  const issuer = config.authz.resources[0];
  for (const scope of ['issuer:admin', 'issuer:offers:claims']) {
    if (issuer && !issuer.scopes.includes(scope)) issuer.scopes.push(scope);
  }
  const records: AuthzClientConfig[] = [
    {
      client_id: 'fapi',
      client_name: 'FAPI test client',
      client_names: { fr: 'Client de test FAPI', ar: 'عميل اختبار' },
      redirect_uris: [FAPI_REDIRECT],
      post_logout_redirect_uris: [FAPI_LOGOUT],
      jwks: jwks(clients.fapi.key),
      scope: 'openid profile national_id',
      grant_types: ['authorization_code', 'refresh_token'],
      require_pushed_authorization_requests: true,
      dpop_bound_access_tokens: true,
    },
    {
      client_id: 'rp',
      redirect_uris: [RP_REDIRECT],
      jwks: jwks(clients.rp.key),
      scope: 'openid profile email national_id',
      userinfo_signed_response_alg: 'ES256',
    },
    {
      client_id: 'admin',
      redirect_uris: [],
      jwks: jwks(clients.admin.key),
      scope: 'authz:admin issuer:admin issuer:offers:claims',
      grant_types: ['client_credentials'],
    },
  ];
  config.authz.clients.push(...records);
  return clients;
}

/** openid-client configured as one of the test clients (private_key_jwt). */
export function rpFor(server: client.ServerMetadata, id: string, key: ClientKey) {
  const rp = new client.Configuration(
    server,
    id,
    {
      id_token_signed_response_alg: 'ES256',
      userinfo_signed_response_alg: id === 'rp' ? 'ES256' : undefined,
    },
    client.PrivateKeyJwt(key.privateKey),
  );
  client.allowInsecureRequests(rp);
  return rp;
}

export async function serverMetadata(config: Config): Promise<client.ServerMetadata> {
  const rp = await client.discovery(new URL(config.authz.publicUrl), 'x', undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  return rp.serverMetadata();
}

/** Parameters that leave out everything `authorize()` would add, so a PAR request_uri stands alone. */
const BARE = {
  redirect_uri: '',
  scope: '',
  code_challenge: '',
  code_challenge_method: '',
  state: '',
  resource: '',
};

/**
 * Drives the browser from a pushed authorization request's `request_uri` through sign-in to the
 * callback (the sign-in steps are helpers.authorize()'s).
 */
export async function signInWithRequestUri(
  config: Config,
  rp: client.Configuration,
  parUrl: URL,
  answers: Record<string, string> = AMARA,
  browser?: Browser,
): Promise<AuthorizationRun> {
  return authorize(
    config,
    rp,
    answers,
    { ...BARE, request_uri: parUrl.searchParams.get('request_uri') ?? '' },
    browser,
  );
}

/** authz alone with the two protocol test clients (`fapi`: PAR + DPoP required; `rp`: plain). */
export interface ProtocolAuthz {
  authz: AuthzUnderTest;
  clients: TestClients;
  fapi: client.Configuration;
  rp: client.Configuration;
  stop(): Promise<void>;
}

export async function startProtocolAuthz(overrides?: Record<string, unknown>): Promise<ProtocolAuthz> {
  const test = await testConfig({ services: ['authz'], overrides });
  const clients = await addTestClients(test.config);
  const authz = await startAuthz(test.config);
  const server = await serverMetadata(test.config);
  return {
    authz,
    clients,
    fapi: rpFor(server, 'fapi', clients.fapi.key),
    rp: rpFor(server, 'rp', clients.rp.key),
    async stop() {
      await authz.stop();
      rmSync(test.dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * startProtocolAuthz for the calling test file: started in a `beforeAll`, stopped in an `afterAll`.
 * The object is filled in when the hook runs, so read it in hooks and tests only.
 */
export function protocolAuthzForFile(): ProtocolAuthz {
  const setup = {} as ProtocolAuthz;
  beforeAll(async () => {
    Object.assign(setup, await startProtocolAuthz());
  });
  afterAll(async () => {
    await setup.stop?.();
  });
  return setup;
}
