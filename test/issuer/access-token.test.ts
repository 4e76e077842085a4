import { afterEach, describe, expect, it } from 'vitest';
import { AccessTokenVerifier, MissingTokenError } from '../../src/issuer/access-token.js';
import { wellKnownUrl } from '../../src/issuer/authorization-server.js';
import { ProtocolError } from '../../src/platform/errors.js';
import { type ForeignAs, startForeignAs } from './helpers/foreign-as.js';
import { freePort } from './helpers/issuer.js';

const AUDIENCE = 'https://issuer.example';
const servers: ForeignAs[] = [];

async function foreignAs(options: Partial<Parameters<typeof startForeignAs>[0]> = {}): Promise<ForeignAs> {
  const as = await startForeignAs({ audience: AUDIENCE, ...options });
  servers.push(as);
  return as;
}

async function failure(promise: Promise<unknown>): Promise<ProtocolError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProtocolError);
  return error as ProtocolError;
}

afterEach(async () => {
  for (const as of servers.splice(0)) await as.stop();
});

describe('access token verification', () => {
  it('returns the subject and scopes of a valid token', async () => {
    const as = await foreignAs();
    const token = await new AccessTokenVerifier([as.url], AUDIENCE).verify(
      await as.mint({ claims: { aud: ['https://other.example', AUDIENCE], scope: 'a national_id  b' } }),
    );
    expect(token).toMatchObject({ issuer: as.url, subject: '5102030400', clientId: 'wallet' });
    expect([...token.scopes]).toEqual(['a', 'national_id', 'b']);
  });

  it('fetches the JWKS once, not per token (keys stay imported)', async () => {
    const as = await foreignAs();
    const verifier = new AccessTokenVerifier([as.url], AUDIENCE);
    for (let i = 0; i < 20; i++) await verifier.verify(await as.mint());
    expect(as.jwksFetches).toBe(1);
  });

  it('refetches the JWKS for an unknown kid after the cooldown, so key rotation works', async () => {
    const as = await foreignAs();
    const verifier = new AccessTokenVerifier([as.url], AUDIENCE, { cooldownDuration: 0 });
    await verifier.verify(await as.mint());
    await as.rotate();
    await expect(verifier.verify(await as.mint())).resolves.toBeDefined();
    expect(as.jwksFetches).toBe(2);
  });

  it('does not refetch within the cooldown, however many unknown kids arrive', async () => {
    const as = await foreignAs();
    const verifier = new AccessTokenVerifier([as.url], AUDIENCE);
    await verifier.verify(await as.mint());
    for (let i = 0; i < 5; i++) {
      const error = await failure(verifier.verify(await as.mint({ unpublishedKey: true })));
      expect(error.status).toBe(401);
      expect(error.description).toBe('access token signing key is unknown');
    }
    expect(as.jwksFetches).toBe(1);
  });

  it('answers 503 when an authorization server cannot be discovered, and retries later', async () => {
    const as = await foreignAs();
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const verifier = new AccessTokenVerifier([deadUrl, as.url], AUDIENCE);
    const error = await failure(verifier.verify(await as.mint({ claims: { iss: deadUrl } })));
    expect([error.status, error.error]).toEqual([503, 'temporarily_unavailable']);
    await expect(verifier.verify(await as.mint())).resolves.toBeDefined();
  });

  it('refuses metadata that names another issuer (RFC 8414 §3.3)', async () => {
    const honest = await foreignAs();
    const impostor = await foreignAs({ claimedIssuer: honest.url });
    const verifier = new AccessTokenVerifier([impostor.url], AUDIENCE);
    const error = await failure(verifier.verify(await impostor.mint()));
    expect(error.status).toBe(503);
    expect(impostor.jwksFetches).toBe(0);
  });

  it('refuses an unsigned token', async () => {
    const as = await foreignAs();
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64({ iss: as.url, aud: AUDIENCE, sub: 'x', exp: now + 60 })}.`;
    const error = await failure(new AccessTokenVerifier([as.url], AUDIENCE).verify(unsigned));
    expect([error.status, error.error]).toEqual([401, 'invalid_token']);
  });
});

describe('Authorization header', () => {
  it('takes a Bearer token, with the scheme in any case', () => {
    expect(AccessTokenVerifier.bearer('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(AccessTokenVerifier.bearer('bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it('treats no header or another scheme as no token, and a broken Bearer as invalid', () => {
    expect(() => AccessTokenVerifier.bearer(undefined)).toThrow(MissingTokenError);
    expect(() => AccessTokenVerifier.bearer('Basic dXNlcjpwYXNz')).toThrow(MissingTokenError);
    expect(() => AccessTokenVerifier.bearer('Bearer ')).toThrow(ProtocolError);
    expect(() => AccessTokenVerifier.bearer('Bearer a"b')).toThrow(ProtocolError);
  });
});

describe('well-known URLs', () => {
  it('inserts for RFC 8414 and appends for OpenID Connect Discovery', () => {
    expect(wellKnownUrl('https://as.example', 'oauth-authorization-server', 'insert').href).toBe(
      'https://as.example/.well-known/oauth-authorization-server',
    );
    expect(wellKnownUrl('https://as.example/realms/x', 'oauth-authorization-server', 'insert').href).toBe(
      'https://as.example/.well-known/oauth-authorization-server/realms/x',
    );
    expect(wellKnownUrl('https://as.example/realms/x', 'openid-configuration', 'append').href).toBe(
      'https://as.example/realms/x/.well-known/openid-configuration',
    );
  });
});

describe('opaque tokens through RFC 7662 introspection', () => {
  /** A tiny introspection endpoint with client_secret_basic, answering for the tokens it knows. */
  async function introspector(tokens: Record<string, Record<string, unknown>>) {
    const { createServer } = await import('node:http');
    const calls: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        const ok =
          request.headers.authorization === `Basic ${Buffer.from('issuer:s3cret').toString('base64')}`;
        const token = new URLSearchParams(body).get('token') ?? '';
        calls.push(token);
        response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        response.end(JSON.stringify(ok ? (tokens[token] ?? { active: false }) : { error: 'invalid_client' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${port}/introspect`,
      calls,
      stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it('accepts an active opaque token and refuses inactive, expired and foreign-audience ones', async () => {
    const now = Math.floor(Date.now() / 1000);
    const endpoint = await introspector({
      good: {
        active: true,
        sub: '5102030400',
        scope: 'national_id',
        aud: AUDIENCE,
        exp: now + 60,
        client_id: 'w',
      },
      bound: { active: true, sub: 'x', scope: 'national_id', cnf: { jkt: 'abc' } },
      expired: { active: true, sub: 'x', exp: now - 1 },
      other: { active: true, sub: 'x', aud: 'https://elsewhere.example' },
    });
    try {
      const verifier = new AccessTokenVerifier(['https://as.example'], AUDIENCE, {
        introspection: [
          {
            issuer: 'https://as.example',
            endpoint: endpoint.url,
            clientId: 'issuer',
            clientSecret: 's3cret',
          },
        ],
      });
      const token = await verifier.verify('good');
      expect(token).toMatchObject({ issuer: 'https://as.example', subject: '5102030400', clientId: 'w' });
      expect([...token.scopes]).toEqual(['national_id']);
      expect((await failure(verifier.verify('unknown'))).error).toBe('invalid_token');
      expect((await failure(verifier.verify('expired'))).description).toBe('access token expired');
      expect((await failure(verifier.verify('other'))).description).toBe(
        'access token audience is not this issuer',
      );
      // A DPoP-bound opaque token is refused as Bearer, accepted as DPoP (the caller checks the proof).
      expect((await failure(verifier.verify('bound'))).error).toBe('invalid_token');
      expect((await verifier.verify('bound', 'DPoP')).jkt).toBe('abc');
      // Nothing is cached: each use is asked again (a revoked token stops working at once).
      expect(endpoint.calls.filter((t) => t === 'good')).toHaveLength(1);
      await verifier.verify('good');
      expect(endpoint.calls.filter((t) => t === 'good')).toHaveLength(2);
      // Without introspection configured, an opaque token is simply not a JWT.
      const plain = new AccessTokenVerifier(['https://as.example'], AUDIENCE);
      expect((await failure(plain.verify('good'))).description).toBe('access token is not a JWT');
    } finally {
      await endpoint.stop();
    }
  });
});
