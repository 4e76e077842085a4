import { rmSync } from 'node:fs';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import { expect, it } from 'vitest';
import { MasterKey } from '../../src/platform/keys/index.js';
import { signedClientAssertion } from '../../src/platform/oauth/client-assertion.js';
import type { IdentityRegistry } from '../../src/platform/registry/index.js';
import { CLIENT_KEY_PURPOSE } from '../../src/portal/context.js';
import { createPortalService } from '../../src/portal/service.js';
import { testConfig } from '../helpers/system.js';

it('creates the client key on first start, reuses it after a restart and publishes only its public part', async () => {
  const { config, dataDir } = await testConfig();
  const context = { config, masterKey: new MasterKey(Buffer.alloc(32, 9)), registry: {} as IdentityRegistry };
  const jwksOf = async () => {
    const service = await createPortalService(context);
    try {
      const response = await service.app.inject({ url: '/.well-known/jwks.json' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
      return response.json() as { keys: JWK[] };
    } finally {
      await service.close();
    }
  };
  try {
    const first = await jwksOf();
    const second = await jwksOf();
    expect(first.keys).toHaveLength(1);
    expect(second).toEqual(first);
    const [key] = first.keys;
    expect(Object.keys(key ?? {}).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(CLIENT_KEY_PURPOSE).toBe('portal-client');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it('signs client assertions through the key interface: iss = sub = client_id, aud = AS issuer, short exp', async () => {
  const { LocalSigningKey } = await import('../../src/platform/keys/index.js');
  const key = await LocalSigningKey.generate('ES256');
  let signed = 0;
  const counting = {
    ...key,
    kid: key.kid,
    alg: key.alg,
    publicJwk: key.publicJwk,
    sign: (d: Uint8Array) => {
      signed++;
      return key.sign(d);
    },
  };
  const auth = signedClientAssertion(
    async () => counting,
    () => 1_700_000_000_000,
  );
  const body = new URLSearchParams();
  await auth(
    { issuer: 'https://as.example' } as never,
    { client_id: 'portal' } as never,
    body,
    new Headers(),
  );
  expect(signed).toBe(1);
  expect(body.get('client_id')).toBe('portal');
  const { payload, protectedHeader } = await jwtVerify(
    body.get('client_assertion') ?? '',
    createLocalJWKSet({ keys: [key.publicJwk] }),
    {
      issuer: 'portal',
      subject: 'portal',
      audience: 'https://as.example',
      currentDate: new Date(1_700_000_030_000),
    },
  );
  expect(protectedHeader).toEqual({ typ: 'JWT', alg: 'ES256', kid: key.kid });
  expect(payload).toEqual({
    iss: 'portal',
    sub: 'portal',
    aud: 'https://as.example',
    jti: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    iat: 1_700_000_000,
    nbf: 1_700_000_000,
    exp: 1_700_000_060,
  });
});
