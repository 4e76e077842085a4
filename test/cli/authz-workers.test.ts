import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/platform/config/index.js';
import {
  AMARA,
  Browser,
  type ClientKey,
  closeServer,
  generateClientKey,
  serveClientJwks,
} from '../authz/helpers.js';
import { killGroup } from '../helpers/processes.js';
import { testConfig } from '../helpers/system.js';
import {
  childrenOf,
  type RunningWorkers,
  serviceConfigOn,
  spawnTwoWorkers,
  startTwoWorkers,
} from './helpers/workers.js';

/** The sign-in form posts one address may make (authz.login.rateLimit), counted across workers. */
const SIGN_IN_LIMIT = 30;

describe.each(['sqlite', 'postgres'] as const)('attesta serve authz --workers 2 on %s', (dialect) => {
  let jwks: Server | undefined;
  let stop = async () => {};
  let config: Config;
  let key: ClientKey;
  let primary = 0;
  let skipped = false;

  beforeAll(async () => {
    const made = await serviceConfigOn('authz', dialect);
    if (!made) {
      skipped = true;
      return;
    }
    config = {
      ...made.config,
      // Counted in the database, so both workers count one address together.
      rateLimit: { ...made.config.rateLimit, store: 'database' },
      authz: {
        ...made.config.authz,
        login: { ...made.config.authz.login, rateLimit: { max: SIGN_IN_LIMIT, windowSeconds: 3600 } },
      },
    };
    key = await generateClientKey();
    jwks = await serveClientJwks(config, [key.publicJwk]);
    const configFile = join(made.dataDir, 'attesta.json');
    writeFileSync(configFile, JSON.stringify(config));
    let workers: RunningWorkers | undefined;
    stop = async () => {
      await workers?.stop();
      if (jwks) await closeServer(jwks);
      await made.remove();
    };
    workers = await startTwoWorkers('authz', configFile);
    primary = workers.primary;
  }, 180_000);

  afterAll(async () => {
    await stop();
  }, 60_000);

  const origin = () => config.authz.publicUrl;
  const redirectUri = () => config.authz.clients[0]?.redirect_uris[0] ?? '';
  const resource = () => config.authz.resources[0]?.identifier ?? '';

  /** A private_key_jwt client assertion (RFC 7523), with the jti given or a fresh one. */
  const assertion = (jti: string = randomUUID()) =>
    new SignJWT({ jti })
      .setProtectedHeader({ alg: 'ES256', kid: key.privateKey.kid })
      .setIssuer(config.portal.clientId)
      .setSubject(config.portal.clientId)
      .setAudience(origin())
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(key.privateKey.key);

  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

  /** A pushed authorization request (RFC 9126) with PKCE; its request_uri and code verifier. */
  async function par(clientAssertion: string): Promise<Response> {
    return fetch(
      `${origin()}/request`,
      form({
        client_id: config.portal.clientId,
        response_type: 'code',
        redirect_uri: redirectUri(),
        scope: 'openid national_id',
        code_challenge: await client.calculatePKCECodeChallenge(VERIFIER),
        code_challenge_method: 'S256',
        state: randomUUID(),
        resource: resource(),
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: clientAssertion,
      }),
    );
  }
  const VERIFIER = client.randomPKCECodeVerifier();

  /**
   * A browser through authorize (with the request_uri) to the sign-in form; `submit` posts it and
   * says where the browser ends (the client's callback, or authz's page).
   */
  async function openForm(requestUri: string): Promise<{ submit(): Promise<URL> }> {
    const browser = new Browser();
    const authorize = new URL(`${origin()}/auth`);
    authorize.searchParams.set('client_id', config.portal.clientId);
    authorize.searchParams.set('request_uri', requestUri);
    const start = await browser.follow(authorize, origin());
    expect(start.url.pathname).toMatch(/^\/interaction\//);
    const action = new URL(`${start.url.pathname}/login`, origin());
    return { submit: async () => (await browser.submit(action, origin(), AMARA)).url };
  }
  const signIn = async (requestUri: string) => (await openForm(requestUri)).submit();

  it('runs two worker processes behind one port', (context) => {
    if (skipped) return context.skip();
    expect(childrenOf(primary)).toHaveLength(2);
  });

  it('a client assertion raced on eight connections is accepted once (replay detection across workers)', async (context) => {
    if (skipped) return context.skip();
    const reused = await assertion('one-jti');
    const statuses = (await Promise.all(Array.from({ length: 8 }, () => par(reused)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(7);
  });

  it('one request_uri used by two browsers at once gives one code', async (context) => {
    if (skipped) return context.skip();
    const pushed = await par(await assertion());
    expect(pushed.status).toBe(201);
    const { request_uri: requestUri } = (await pushed.json()) as { request_uri: string };
    // Four browsers at the form, then the four sign-ins at once: each ends in the authorization
    // response, where the request_uri is consumed.
    const forms = await Promise.all(Array.from({ length: 4 }, () => openForm(requestUri)));
    const ends = await Promise.all(forms.map((f) => f.submit()));
    const codes = ends.filter((url) => url.searchParams.has('code'));
    expect(codes).toHaveLength(1);
    // The others are told the request_uri is spent, at the client's callback or on authz's error page.
    for (const url of ends.filter((u) => !u.searchParams.has('code'))) {
      expect(url.searchParams.get('error') ?? url.pathname).toMatch(
        /invalid_request_uri|^\/(auth|interaction)/,
      );
    }
  });

  it('an authorization code raced on eight connections is redeemed once', async (context) => {
    if (skipped) return context.skip();
    const pushed = await par(await assertion());
    const { request_uri: requestUri } = (await pushed.json()) as { request_uri: string };
    const callback = await signIn(requestUri);
    const code = callback.searchParams.get('code') as string;
    expect(code).toBeTruthy();
    const redeem = async () =>
      fetch(
        `${origin()}/token`,
        form({
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri(),
          code_verifier: VERIFIER,
          resource: resource(),
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: await assertion(),
        }),
      );
    const results = await Promise.all(Array.from({ length: 8 }, redeem));
    const bodies = (await Promise.all(results.map((r) => r.json()))) as {
      error?: string;
      access_token?: string;
    }[];
    expect(bodies.filter((b) => b.access_token)).toHaveLength(1);
    expect(bodies.filter((b) => b.error === 'invalid_grant')).toHaveLength(7);
  });

  it('the per-IP sign-in limit is counted once for both workers', async (context) => {
    if (skipped) return context.skip();
    const post = () =>
      fetch(`${origin()}/interaction/no-such-interaction/login`, {
        ...form({ individual_id: '1' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: origin() },
      });
    // What is left of this address's allowance (the flows above posted the form too).
    const first = await post();
    expect(first.status).not.toBe(429);
    const left = Number(first.headers.get('x-ratelimit-remaining'));
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(SIGN_IN_LIMIT);
    // Spread over new connections, so over both workers: exactly `left` pass, whatever worker counts.
    const statuses = (await Promise.all(Array.from({ length: left + 4 }, post))).map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
  });
});

describe('attesta serve authz --workers 2 with the memory rate-limit store', () => {
  it('refuses to start: each worker would count the per-IP limit apart', async () => {
    const { config, dataDir } = await testConfig({ services: ['authz'] });
    const configFile = join(dataDir, 'attesta.json');
    writeFileSync(
      configFile,
      JSON.stringify({ ...config, rateLimit: { ...config.rateLimit, store: 'memory' } }),
    );
    const run = spawnTwoWorkers('authz', configFile);
    try {
      expect(await run.exited).toBe(2);
      expect(run.output.stderr).toMatch(/rateLimit\.store "database" or "redis"/);
    } finally {
      killGroup(run.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
