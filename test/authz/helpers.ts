import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../src/platform/config/index.js';
import { type RunningSystem, startSystem } from '../../src/system.js';
import { testConfig } from '../helpers/system.js';

/** A client key pair as the portal would hold it: private CryptoKey for openid-client, public JWK. */
export interface ClientKey {
  privateKey: client.PrivateKey;
  publicJwk: JWK;
}

export async function generateClientKey(): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey: { key: privateKey, kid }, publicJwk: { ...jwk, kid, alg: 'ES256', use: 'sig' } };
}

/**
 * Plays the portal's JWKS endpoint on the portal's configured port, so authz fetches the client's
 * keys over real HTTP from its configured `jwks_uri` (private_key_jwt, RFC 7523).
 */
export async function serveClientJwks(config: Config, keys: JWK[]): Promise<Server> {
  const jwksPath = new URL(config.authz.clients[0]?.jwks_uri ?? '').pathname;
  const server = createServer((req, res) => {
    if (req.url === jwksPath) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(config.portal.port, config.portal.host, resolve));
  return server;
}

export const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** The RP side of the tests: openid-client 6 configured as the portal. */
export async function discoverAsPortal(config: Config, key: ClientKey): Promise<client.Configuration> {
  return client.discovery(
    new URL(config.authz.publicUrl),
    config.portal.clientId,
    { id_token_signed_response_alg: 'ES256' },
    client.PrivateKeyJwt(key.privateKey),
    { execute: [client.allowInsecureRequests] },
  );
}

/** Just enough of a browser: a cookie jar for one host and manual redirects. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) {
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows redirects while they stay on `origin`; returns the last response and its URL. */
  async follow(
    url: string | URL,
    origin: string,
    init?: RequestInit,
  ): Promise<{ response: Response; url: URL }> {
    let current = new URL(url);
    let response = await this.request(current, init);
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      const next = new URL(response.headers.get('location') ?? '', current);
      if (next.origin !== origin) return { response, url: next };
      current = next;
      response = await this.request(current);
    }
    return { response, url: current };
  }

  /** Submits a form as a browser would (application/x-www-form-urlencoded POST). */
  submit(url: string | URL, origin: string, fields: Record<string, string>) {
    return this.follow(url, origin, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

export const AMARA = { individual_id: '5102030400', full_name: 'Amara Okafor', date_of_birth: '1970-03-13' };

export interface AuthorizationRun {
  /** Where the browser was finally sent (the client's callback) or the last authz page. */
  url: URL;
  response: Response;
  codeVerifier: string;
  state: string;
}

/**
 * Drives the browser through authorize → sign-in form → (automatic consent) → callback. Returns
 * the callback URL or, when the sign-in was refused, the re-rendered form.
 */
export async function authorize(
  config: Config,
  rp: client.Configuration,
  answers: Record<string, string>,
  params: Record<string, string> = {},
  browser = new Browser(),
): Promise<AuthorizationRun> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const authorizationUrl = client.buildAuthorizationUrl(rp, {
    redirect_uri: config.authz.clients[0]?.redirect_uris[0] ?? '',
    scope: 'openid national_id',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    resource: config.authz.resources[0]?.identifier ?? '',
    ...params,
  });
  // An empty value in `params` means "leave this parameter out".
  for (const [name, value] of Object.entries(params)) {
    if (value === '') authorizationUrl.searchParams.delete(name);
  }
  const origin = config.authz.publicUrl;
  const start = await browser.follow(authorizationUrl, origin);
  if (start.response.status !== 200 || !start.url.pathname.startsWith('/interaction/')) {
    return { ...start, codeVerifier, state };
  }
  const done = await browser.submit(new URL(`${start.url.pathname}/login`, origin), origin, answers);
  // A client without implicit consent lands on the consent page: the person allows.
  if (done.response.status === 200 && /^\/interaction\/[^/]+$/.test(done.url.pathname)) {
    const html = await done.response.clone().text();
    if (html.includes('name="decision"')) {
      const allowed = await browser.submit(new URL(`${done.url.pathname}/consent`, origin), origin, {
        decision: 'allow',
      });
      return { ...allowed, codeVerifier, state };
    }
  }
  return { ...done, codeVerifier, state };
}

export interface AuthzUnderTest {
  config: Config;
  system: RunningSystem;
  rp: client.Configuration;
  clientKey: ClientKey;
  stop(): Promise<void>;
}

/**
 * startAuthz for the calling test file, on its test configuration as `configure` changes it: started
 * in a `beforeAll`, stopped and its data folder removed in an `afterAll`. The object is filled in when
 * the hook runs, so read it in hooks and tests only.
 */
export function authzForFile(
  configure?: (test: { config: Config; dataDir: string }) => void | Promise<void>,
): AuthzUnderTest {
  const authz = {} as AuthzUnderTest;
  let dataDir: string | undefined;
  beforeAll(async () => {
    const test = await testConfig({ services: ['authz'] });
    dataDir = test.dataDir;
    await configure?.(test);
    Object.assign(authz, await startAuthz(test.config));
  });
  afterAll(async () => {
    await authz.stop?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return authz;
}

/** authz alone, with the test playing the portal (its JWKS on the portal's port). */
export async function startAuthz(config: Config): Promise<AuthzUnderTest> {
  const clientKey = await generateClientKey();
  const jwks = await serveClientJwks(config, [clientKey.publicJwk]);
  const system = await startSystem(config, ['authz']);
  const rp = await discoverAsPortal(config, clientKey);
  return {
    config,
    system,
    rp,
    clientKey,
    async stop() {
      await system.stop();
      await closeServer(jwks);
    },
  };
}
