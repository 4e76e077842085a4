import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySdJwtVc } from '../../src/credentials/formats/sd-jwt-vc/index.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { type ForeignAs, startForeignAs } from './helpers/foreign-as.js';
import { issuerConfig, startIssuer, type TestIssuer } from './helpers/issuer.js';
import { didJwkOf, didKeyOf, type Holder, newHolder, proofJwt, unsignedProof } from './helpers/wallet.js';

let issuer: TestIssuer;
let as: ForeignAs;
let oidcOnlyAs: ForeignAs;
let untrustedAs: ForeignAs;
let holder: Holder;

/** Rows of what an issuance writes, read through a connection of our own. */
async function issuerRowCounts(): Promise<Record<string, number>> {
  const database = openDatabase<Record<string, never>>(issuer.config.issuer.database);
  try {
    const counts: Record<string, number> = {};
    for (const table of [
      'issuer_ledger',
      'issuer_status_entries',
      'issuer_notifications',
      'issuer_spent_nonces',
    ]) {
      const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(
        database.db,
      );
      counts[table] = Number(rows[0]?.n);
    }
    return counts;
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  const prepared = await issuerConfig();
  const audience = prepared.config.issuer.publicUrl;
  as = await startForeignAs({ audience });
  oidcOnlyAs = await startForeignAs({ audience, discovery: 'openid' });
  untrustedAs = await startForeignAs({ audience });
  issuer = await startIssuer([as.url, oidcOnlyAs.url], prepared);
  holder = await newHolder('ES256');
});

afterAll(async () => {
  await issuer?.stop();
  await Promise.all([as?.stop(), oidcOnlyAs?.stop(), untrustedAs?.stop()]);
});

async function freshNonce(): Promise<string> {
  const response = await fetch(`${issuer.url}/nonce`, { method: 'POST' });
  return ((await response.json()) as { c_nonce: string }).c_nonce;
}

async function post(body: unknown, token?: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${issuer.url}/credential`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> | undefined,
  };
}

async function proofFor(who: Holder, overrides: Partial<Parameters<typeof proofJwt>[1]> = {}) {
  return proofJwt(who, { audience: issuer.url, nonce: await freshNonce(), ...overrides });
}

async function request(proof: string, token?: string) {
  return post(
    { credential_configuration_id: 'national_id_sd_jwt', proofs: { jwt: [proof] } },
    token ?? (await as.mint()),
  );
}

async function issuerJwks(): Promise<{ keys: JWK[] }> {
  const response = await fetch(`${issuer.url}/.well-known/jwt-vc-issuer`);
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  const body = (await response.json()) as { issuer: string; jwks: { keys: JWK[] } };
  expect(body.issuer).toBe(issuer.url);
  return body.jwks;
}

function credentialsOf(body: Record<string, unknown> | undefined): string[] {
  return ((body?.credentials ?? []) as { credential: string }[]).map((c) => c.credential);
}

function expectProtocolError(
  result: Awaited<ReturnType<typeof post>>,
  status: number,
  error: string,
  wwwAuthenticate?: RegExp,
) {
  expect(result.status).toBe(status);
  expect(result.body?.error).toBe(error);
  expect(typeof result.body?.error_description).toBe('string');
  expect(result.headers.get('cache-control')).toBe('no-store');
  if (wwwAuthenticate) expect(result.headers.get('www-authenticate')).toMatch(wwwAuthenticate);
}

describe('issuance', () => {
  it('issues an SD-JWT VC bound to the proof key, verified by @sd-jwt/sd-jwt-vc and by our verifier', async () => {
    const result = await request(await proofFor(holder));
    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toBe('no-store');
    const [credential] = credentialsOf(result.body) as [string];

    // Independent check: the library's own verifier with the key published at jwt-vc-issuer.
    const jwks = await issuerJwks();
    const header = decodeProtectedHeader(credential.split('~')[0] as string);
    expect(header).toMatchObject({ typ: 'dc+sd-jwt', alg: 'ES256' });
    const issuerJwk = jwks.keys.find((k) => k.kid === header.kid) as JWK;
    expect(issuerJwk).toBeDefined();
    const key = await importJWK(issuerJwk, 'ES256');
    const library = new SDJwtVcInstance({
      hasher: digest,
      verifier: async (data: string, signature: string) => {
        const jws = `${data}.${signature}`;
        return compactVerify(jws, key).then(
          () => true,
          () => false,
        );
      },
    });
    const verified = await library.verify(credential);
    expect(verified.payload).toMatchObject({
      iss: issuer.url,
      vct: `${issuer.url}/types/national-id`,
      given_name: 'Amara',
      family_name: 'Okafor',
      birthdate: '1970-03-13',
      nationalities: ['NG'],
      address: { locality: 'Lagos', country: 'NG' },
      issuing_country: 'XA',
      cnf: { jwk: { kty: 'EC', crv: 'P-256', x: holder.publicJwk.x, y: holder.publicJwk.y } },
    });
    // Time claims rounded to the hour (RFC 9901 §10.1), validity never shorter than configured.
    const { iat, exp } = verified.payload as { iat: number; exp: number };
    const now = Math.floor(Date.now() / 1000);
    expect([iat % 3600, exp % 3600]).toEqual([0, 0]);
    expect(iat).toBeLessThanOrEqual(now);
    expect(now - iat).toBeLessThan(3600);
    expect(exp).toBeGreaterThanOrEqual(now + issuer.config.issuer.credentialTtl - 5);

    // Personal claims are disclosures, not clear payload claims.
    const ours = await verifySdJwtVc(credential, { issuerJwks: jwks, expectedIssuer: issuer.url });
    expect(ours.payload._sd_alg).toBe('sha-256');
    expect(ours.payload.given_name).toBeUndefined();
    expect(ours.payload.birthdate).toBeUndefined();
    expect(ours.payload.issuing_country).toBe('XA');
    expect(ours.claims).toMatchObject({ given_name: 'Amara', email: 'amara.okafor@example.org' });
    const names = ours.disclosures.map((d) => d.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'given_name',
        'family_name',
        'birthdate',
        'address',
        'locality',
        'nationalities',
      ]),
    );
  });

  it('issues one credential per proof, each bound to its own key (batch)', async () => {
    const other = await newHolder('EdDSA');
    const nonce = await freshNonce();
    const proofs = [
      await proofJwt(holder, { audience: issuer.url, nonce }),
      await proofJwt(other, { audience: issuer.url, nonce }),
    ];
    const result = await post(
      { credential_configuration_id: 'national_id_sd_jwt', proofs: { jwt: proofs } },
      await as.mint(),
    );
    expect(result.status).toBe(200);
    const jwks = await issuerJwks();
    const bound = await Promise.all(
      credentialsOf(result.body).map(async (c) => (await verifySdJwtVc(c, { issuerJwks: jwks })).payload.cnf),
    );
    expect(bound).toEqual([
      { jwk: { kty: 'EC', crv: 'P-256', x: holder.publicJwk.x, y: holder.publicJwk.y } },
      { jwk: { kty: 'OKP', crv: 'Ed25519', x: other.publicJwk.x } },
    ]);
  });

  it('refuses a batch that proves the same key twice', async () => {
    const nonce = await freshNonce();
    const proof = () => proofJwt(holder, { audience: issuer.url, nonce });
    const result = await post(
      { credential_configuration_id: 'national_id_sd_jwt', proofs: { jwt: [await proof(), await proof()] } },
      await as.mint(),
    );
    expectProtocolError(result, 400, 'invalid_proof');
    expect(result.body?.error_description).toMatch(/different key/);
  });

  it('accepts the draft 13 single proof form and ignores unknown members', async () => {
    const result = await post(
      {
        credential_configuration_id: 'national_id_sd_jwt',
        proof: { proof_type: 'jwt', jwt: await proofFor(holder) },
        something_new: { nested: true },
      },
      await as.mint(),
    );
    expect(result.status).toBe(200);
    expect(credentialsOf(result.body)).toHaveLength(1);
  });

  it.each([
    ['did:jwk (P-256)', 'ES256', (h: Holder) => `${didJwkOf(h)}#0`],
    ['did:key Ed25519', 'EdDSA', (h: Holder) => `${didKeyOf(h)}#${didKeyOf(h).slice(8)}`],
    ['did:key P-256', 'ES256', (h: Holder) => didKeyOf(h)],
  ] as const)('binds to the key named by a %s kid', async (_name, alg, kidOf) => {
    const who = await newHolder(alg);
    const proof = await proofFor(who, { header: { jwk: undefined, kid: kidOf(who) } });
    const result = await request(proof);
    expect(result.status).toBe(200);
    const [credential] = credentialsOf(result.body) as [string];
    const { payload } = await verifySdJwtVc(credential, { issuerJwks: await issuerJwks() });
    const { kty, crv, x, y } = who.publicJwk;
    expect(payload.cnf).toEqual({ jwk: { kty, crv, x, ...(y ? { y } : {}) } });
  });

  it('accepts tokens from an authorization server that only publishes OpenID discovery', async () => {
    const result = await request(await proofFor(holder), await oidcOnlyAs.mint());
    expect(result.status).toBe(200);
  });
});

describe('access token', () => {
  it('asks for a token with a bare Bearer and DPoP challenge when there is none', async () => {
    const result = await post({ credential_configuration_id: 'national_id_sd_jwt', proofs: { jwt: ['x'] } });
    expect(result.status).toBe(401);
    expect(result.headers.get('www-authenticate')).toBe('Bearer, DPoP algs="ES256 EdDSA"');
    expect(result.body).toBeUndefined();
  });

  it('does not read a token from the query string', async () => {
    const token = await as.mint();
    const response = await fetch(`${issuer.url}/credential?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credential_configuration_id: 'national_id_sd_jwt' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer, DPoP algs="ES256 EdDSA"');
    // In the query and the header: two methods at once is invalid_request (RFC 6750 §3.1).
    const both = await fetch(`${issuer.url}/credential?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ credential_configuration_id: 'national_id_sd_jwt' }),
    });
    expect(both.status).toBe(400);
    expect(((await both.json()) as { error: string }).error).toBe('invalid_request');
  });

  const invalid = /^Bearer error="invalid_token", error_description="[^"]+"$/;
  it.each([
    [
      'expired',
      { claims: { exp: Math.floor(Date.now() / 1000) - 120, iat: Math.floor(Date.now() / 1000) - 600 } },
      /expired/,
    ],
    ['for another audience', { claims: { aud: 'https://other-issuer.example' } }, /audience/],
    ['signed by an unknown key', { unpublishedKey: true }, /signing key is unknown/],
    ['of the wrong typ', { typ: 'JWT' }, /typ must be at\+jwt/],
    ['without a subject', { claims: { sub: undefined } }, /sub/],
    ['DPoP-bound but sent as Bearer', { claims: { cnf: { jkt: 'abc' } } }, /DPoP/],
  ] as const)('rejects a token %s with invalid_token', async (_name, options, reason) => {
    const result = await request(await proofFor(holder), await as.mint(options));
    expectProtocolError(result, 401, 'invalid_token', invalid);
    expect(result.body?.error_description).toMatch(reason);
    expect(result.headers.get('www-authenticate')).toContain(result.body?.error_description as string);
  });

  it('rejects a token from an authorization server it does not trust', async () => {
    const result = await request(await proofFor(holder), await untrustedAs.mint());
    expectProtocolError(result, 401, 'invalid_token', invalid);
    expect(result.body?.error_description).toMatch(/not trusted/);
    expect(untrustedAs.jwksFetches).toBe(0);
  });

  it('rejects garbage and a malformed Authorization header', async () => {
    expectProtocolError(await request(await proofFor(holder), 'not.a.jwt'), 401, 'invalid_token', invalid);
    const result = await post({}, undefined, { authorization: 'Bearer a b' });
    expectProtocolError(result, 401, 'invalid_token', invalid);
  });

  it('answers 403 insufficient_scope when the token lacks the configuration scope', async () => {
    const result = await request(
      await proofFor(holder),
      await as.mint({ claims: { scope: 'openid insurance_policy' } }),
    );
    expectProtocolError(
      result,
      403,
      'insufficient_scope',
      /^Bearer error="insufficient_scope".*scope="national_id"/,
    );
  });

  it('checks the token before the body', async () => {
    const result = await post('{not json', await as.mint({ typ: 'JWT' }));
    expect(result.status).toBe(401);
  });
});

describe('key proofs', () => {
  it.each([
    [
      'a signature by another key',
      async () => proofFor(holder, { signWith: (await newHolder('ES256')).privateKey }),
      /signature is invalid/,
    ],
    ['the wrong typ', async () => proofFor(holder, { header: { typ: 'JWT' } }), /typ must be/],
    [
      'alg none',
      async () => unsignedProof(holder, { audience: issuer.url, nonce: await freshNonce() }),
      /alg/,
    ],
    ['the wrong aud', async () => proofFor(holder, { audience: 'https://elsewhere.example' }), /aud/],
    ['a stale iat', async () => proofFor(holder, { iat: Math.floor(Date.now() / 1000) - 3600 }), /too old/],
    [
      'an iat in the future',
      async () => proofFor(holder, { iat: Math.floor(Date.now() / 1000) + 3600 }),
      /future/,
    ],
    [
      'a private key in its header',
      async () => proofFor(holder, { header: { jwk: holder.privateJwk } }),
      /private/,
    ],
    ['both jwk and kid', async () => proofFor(holder, { header: { kid: didJwkOf(holder) } }), /exactly one/],
    [
      'an unresolvable kid',
      async () => proofFor(holder, { header: { jwk: undefined, kid: 'did:web:example.com' } }),
      /did:jwk or did:key/,
    ],
    [
      'a key of another curve than its alg',
      async () => proofFor(await newHolder('EdDSA'), { header: { jwk: holder.publicJwk } }),
      /does not match its alg/,
    ],
    [
      'no nonce (OpenID4VCI 1.0 §8.3.1.2 (3))',
      async () => proofJwt(holder, { audience: issuer.url }),
      /no nonce/,
    ],
  ])('refuses a proof with %s as invalid_proof', async (_name, make, reason) => {
    const result = await request(await make());
    expectProtocolError(result, 400, 'invalid_proof');
    expect(result.body?.error_description).toMatch(reason);
  });

  it('refuses a reused nonce with invalid_nonce, and keeps nothing of the refused request', async () => {
    const nonce = await freshNonce();
    expect((await request(await proofJwt(holder, { audience: issuer.url, nonce }))).status).toBe(200);
    // The spent nonce is caught in the issuing transaction (no read before signing): what it wrote —
    // a ledger row, a status entry, a notification — must all be rolled back with it.
    const rowsBefore = await issuerRowCounts();
    const again = await request(await proofJwt(holder, { audience: issuer.url, nonce }));
    expectProtocolError(again, 400, 'invalid_nonce');
    expect(await issuerRowCounts()).toEqual(rowsBefore);
  });

  it('refuses a nonce it never issued with invalid_nonce', async () => {
    const result = await request(await proofJwt(holder, { audience: issuer.url, nonce: 'made-up-nonce' }));
    expectProtocolError(result, 400, 'invalid_nonce');
  });

  it('keeps the nonce when the proof is refused, so a corrected request still works', async () => {
    const nonce = await freshNonce();
    const bad = await request(await proofJwt(holder, { audience: 'https://elsewhere.example', nonce }));
    expect(bad.body?.error).toBe('invalid_proof');
    expect((await request(await proofJwt(holder, { audience: issuer.url, nonce }))).status).toBe(200);
  });

  it('refuses a request without proofs as invalid_proof (§8.3.1.2 (1))', async () => {
    const result = await post({ credential_configuration_id: 'national_id_sd_jwt' }, await as.mint());
    expectProtocolError(result, 400, 'invalid_proof');
  });
});

describe('credential request', () => {
  it('refuses an unknown configuration', async () => {
    const result = await post(
      { credential_configuration_id: 'drivers_licence_mdoc', proofs: { jwt: [await proofFor(holder)] } },
      await as.mint(),
    );
    expectProtocolError(result, 400, 'unknown_credential_configuration');
  });

  it.each([
    [
      'proofs.jwt is not an array',
      { credential_configuration_id: 'national_id_sd_jwt', proofs: { jwt: 'x' } },
    ],
    ['the configuration id is not a string', { credential_configuration_id: 7 }],
    ['no configuration id', { proofs: { jwt: ['x'] } }],
    [
      'both proof and proofs',
      {
        credential_configuration_id: 'national_id_sd_jwt',
        proofs: { jwt: ['x'] },
        proof: { proof_type: 'jwt', jwt: 'x' },
      },
    ],
    [
      'too many proofs',
      { credential_configuration_id: 'national_id_sd_jwt', proofs: { jwt: Array(11).fill('x') } },
    ],
  ])('refuses a malformed body (%s) as invalid_credential_request', async (_name, body) => {
    expectProtocolError(await post(body, await as.mint()), 400, 'invalid_credential_request');
  });

  it('refuses a body that is not JSON', async () => {
    const result = await post('{not json', await as.mint());
    expect(result.status).toBe(400);
    expect(result.body?.error).toMatch(/^invalid_/);
  });

  it('refuses a subject the registry does not know without echoing it', async () => {
    const result = await request(await proofFor(holder), await as.mint({ claims: { sub: '9999999999' } }));
    expectProtocolError(result, 400, 'invalid_credential_request');
    expect(JSON.stringify(result.body)).not.toContain('9999999999');
  });
});
