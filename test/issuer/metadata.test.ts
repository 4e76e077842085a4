import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForeignAs, startForeignAs } from './helpers/foreign-as.js';
import { issuerConfig, startIssuer, type TestIssuer } from './helpers/issuer.js';
import { metadataFixtures, schemaErrors, structuralErrors } from './helpers/metadata-schema.js';

let issuer: TestIssuer;
let as: ForeignAs;

beforeAll(async () => {
  const prepared = await issuerConfig();
  as = await startForeignAs({ audience: prepared.config.issuer.publicUrl });
  issuer = await startIssuer([as.url], prepared);
});

afterAll(async () => {
  await issuer?.stop();
  await as?.stop();
});

async function getMetadata() {
  const response = await fetch(`${issuer.url}/.well-known/openid-credential-issuer`);
  return { response, metadata: (await response.json()) as Record<string, unknown> };
}

describe('credential issuer metadata', () => {
  it('is served with open CORS in the OpenID4VCI 1.0 shape', async () => {
    const { response, metadata } = await getMetadata();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(metadata).toMatchObject({
      credential_issuer: issuer.url,
      // The issuer itself serves the pre-authorized code grant of its offers.
      authorization_servers: [as.url, issuer.url],
      credential_endpoint: `${issuer.url}/credential`,
      nonce_endpoint: `${issuer.url}/nonce`,
      deferred_credential_endpoint: `${issuer.url}/deferred_credential`,
      notification_endpoint: `${issuer.url}/notification`,
      batch_credential_issuance: { batch_size: 10 },
      display: issuer.config.issuer.display.map(({ name, locale, logo }) => ({ name, locale, logo })),
    });
    const configurations = metadata.credential_configurations_supported as Record<
      string,
      Record<string, unknown>
    >;
    expect(Object.keys(configurations)).toContain('national_id_sd_jwt');
    const nationalId = configurations.national_id_sd_jwt as Record<string, unknown>;
    expect(nationalId).toMatchObject({
      format: 'dc+sd-jwt',
      scope: 'national_id',
      vct: `${issuer.url}/types/national-id`,
      cryptographic_binding_methods_supported: ['jwk'],
      credential_signing_alg_values_supported: ['ES256'],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256', 'ES256K', 'EdDSA'] } },
      credential_metadata: {
        // One display entry per locale (OpenID4VCI 1.0 §12.2.4: an array of objects, each for one language).
        display: expect.arrayContaining([
          expect.objectContaining({ name: 'National ID', locale: 'en', description: expect.any(String) }),
        ]),
      },
    });
    const claims = (nationalId.credential_metadata as { claims: { path: string[]; display: unknown[] }[] })
      .claims;
    expect(claims.map((c) => c.path.join('.'))).toEqual(
      expect.arrayContaining([
        'given_name',
        'family_name',
        'birthdate',
        'gender',
        'address.street_address',
        'address.locality',
        'address.postal_code',
        'address.country',
        'nationalities',
        'email',
        'phone_number',
        'issuing_country',
      ]),
    );
    expect(claims.every((c) => c.display.length > 0)).toBe(true);
  });

  it('validates against the conformance suite schema with no finding at all, not even a warning', async () => {
    const { metadata } = await getMetadata();
    expect(schemaErrors(metadata)).toEqual([]);
  });

  it('is refused by the same validator once broken (the check can fail)', async () => {
    const { metadata } = await getMetadata();
    const { credential_endpoint: _dropped, ...missing } = metadata;
    expect(structuralErrors(missing).map((e) => e.params)).toContainEqual({
      missingProperty: 'credential_endpoint',
    });
    const configurations = metadata.credential_configurations_supported as Record<
      string,
      Record<string, unknown>
    >;
    const { vct: _vct, ...noVct } = configurations.national_id_sd_jwt as Record<string, unknown>;
    expect(
      structuralErrors({ ...metadata, credential_configurations_supported: { national_id_sd_jwt: noVct } }),
    ).not.toEqual([]);
    expect(schemaErrors({ ...metadata, surprise: true })).not.toEqual([]);
  });
});

describe('the schema validator on the conformance suite fixtures', () => {
  const fixtures = metadataFixtures();
  // The suite's own unit test expects this "valid-" fixture to fail: its dc+sd-jwt configuration has no vct.
  const expectedToFail = (name: string) =>
    name.startsWith('invalid-') ||
    name === 'valid-openid-credential-issuer-metadata-spec-DcSdJwt-claims-missing-vct-example.json';

  it('has fixtures of both kinds', () => {
    expect(fixtures.filter((f) => expectedToFail(f.name)).length).toBeGreaterThanOrEqual(6);
    expect(fixtures.filter((f) => !expectedToFail(f.name)).length).toBeGreaterThanOrEqual(6);
  });

  it.each(fixtures.map((f) => [f.name, f.document] as const))('%s', (name, document) => {
    const errors = structuralErrors(document);
    if (expectedToFail(name)) expect(errors).not.toEqual([]);
    else expect(errors).toEqual([]);
  });
});

describe('SD-JWT VC issuer metadata', () => {
  it('publishes the issuer signing keys, public only, with open CORS', async () => {
    const response = await fetch(`${issuer.url}/.well-known/jwt-vc-issuer`);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await response.json()) as { issuer: string; jwks: { keys: Record<string, unknown>[] } };
    expect(body.issuer).toBe(issuer.url);
    expect(body.jwks.keys).toHaveLength(1);
    expect(body.jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(body.jwks.keys[0]?.kid).toEqual(expect.any(String));
    expect(body.jwks.keys[0]?.d).toBeUndefined();
  });
});

describe('nonce endpoint', () => {
  it('returns a fresh, unguessable c_nonce that must not be cached', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${issuer.url}/nonce`, { method: 'POST' });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as { c_nonce: string };
      expect(Object.keys(body)).toEqual(['c_nonce']);
      // base64url; unpredictable (§7.2): at least 128 bits, so no shorter than 22 characters.
      expect(body.c_nonce).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      seen.add(body.c_nonce);
    }
    expect(seen.size).toBe(5);
  });

  it('accepts an empty JSON-typed POST, as some wallets send', async () => {
    const response = await fetch(`${issuer.url}/nonce`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
  });

  it('ignores a small body and refuses a large one', async () => {
    const post = (body: string) =>
      fetch(`${issuer.url}/nonce`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post('{"credential_configuration_id":"national_id_sd_jwt"}')).status).toBe(200);
    expect((await post('x'.repeat(10_000))).status).toBe(413);
  });

  it('only answers POST', async () => {
    const response = await fetch(`${issuer.url}/nonce`);
    expect(response.status).toBe(404);
  });
});

describe('the rest of the 1.0 metadata (protocol layer)', () => {
  it('advertises deferred, notification, batch, request and response encryption, and display with logos per locale', async () => {
    const { metadata } = await getMetadata();
    expect(metadata.credential_response_encryption).toEqual({
      alg_values_supported: ['ECDH-ES'],
      enc_values_supported: ['A128GCM', 'A256GCM'],
      zip_values_supported: ['DEF'],
      encryption_required: false,
    });
    const request = metadata.credential_request_encryption as { jwks: { keys: Record<string, unknown>[] } };
    expect(request.jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'enc', alg: 'ECDH-ES' });
    expect(request.jwks.keys[0]?.d).toBeUndefined();
    const display = metadata.display as { locale: string; logo?: { uri: string; alt_text: string } }[];
    expect(display.map((d) => d.locale)).toEqual(['en', 'fr']);
    for (const d of display) expect(d.logo?.alt_text).toEqual(expect.any(String));
    const logo = await fetch(`${issuer.url}/logo.svg`);
    expect(logo.headers.get('content-type')).toContain('image/svg+xml');
  });

  it('answers a CORS preflight on the well-known document', async () => {
    const response = await fetch(`${issuer.url}/.well-known/openid-credential-issuer`, {
      method: 'OPTIONS',
      headers: { origin: 'https://wallet.example', 'access-control-request-method': 'GET' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('GET');
  });

  it('is signed when asked with Accept: application/jwt, as OpenID4VCI 1.0 §12.2.3 requires', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await fetch(`${issuer.url}/.well-known/openid-credential-issuer`, {
      headers: { accept: 'application/jwt' },
    });
    expect(response.status).toBe(200);
    // §12.2.2: "a signed JSON Web Token (JWT) … using the media type `application/jwt`".
    expect(response.headers.get('content-type')).toMatch(/^application\/jwt/);
    const jwt = await response.text();
    // The wallet resolves the key the way docs/issuer-protocol.md says: the header's `kid` in the
    // JWKS of the issuer's JWT VC Issuer Metadata (SD-JWT VC §5), and nothing from the JWT itself.
    const { jwks } = (await (await fetch(`${issuer.url}/.well-known/jwt-vc-issuer`)).json()) as {
      jwks: { keys: JWK[] };
    };
    const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(jwks), {
      // §12.2.3: "`typ`: REQUIRED. MUST be `openidvci-issuer-metadata+jwt`".
      typ: 'openidvci-issuer-metadata+jwt',
    });
    expect(protectedHeader.typ).toBe('openidvci-issuer-metadata+jwt');
    expect(protectedHeader.alg).toBe('ES256');
    expect(jwks.keys.map((k) => k.kid)).toContain(protectedHeader.kid);
    expect(protectedHeader.jwk).toBeUndefined();
    // §12.2.3: `sub` REQUIRED, "matching the Credential Issuer Identifier"; `iat` REQUIRED; `exp` OPTIONAL.
    expect(payload.sub).toBe(issuer.url);
    expect(payload.iss).toBe(issuer.url);
    expect(Number.isInteger(payload.iat)).toBe(true);
    expect(payload.iat).toBeGreaterThanOrEqual(before - 1);
    expect(payload.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1);
    expect(Number.isInteger(payload.exp)).toBe(true);
    expect(payload.exp).toBeGreaterThan(payload.iat as number);
    // "All metadata parameters used by the Credential Issuer MUST be added as top-level claims".
    const { metadata } = await getMetadata();
    const { iat: _iat, exp: _exp, iss: _iss, sub: _sub, ...claims } = payload;
    expect(claims).toEqual(metadata);
  });

  it('signed metadata with a changed claim is refused by a wallet', async () => {
    const jwt = await (
      await fetch(`${issuer.url}/.well-known/openid-credential-issuer`, {
        headers: { accept: 'application/jwt' },
      })
    ).text();
    const { jwks } = (await (await fetch(`${issuer.url}/.well-known/jwt-vc-issuer`)).json()) as {
      jwks: { keys: JWK[] };
    };
    const [header, body, signature] = jwt.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(
      JSON.stringify({ ...claims, credential_endpoint: 'https://attacker.example/credential' }),
    ).toString('base64url');
    await expect(
      jwtVerify(`${header}.${forged}.${signature}`, createLocalJWKSet(jwks), {
        typ: 'openidvci-issuer-metadata+jwt',
      }),
    ).rejects.toThrow('signature verification failed');
  });

  it("serves the issuer's own authorization server metadata for the pre-authorized grant", async () => {
    const response = await fetch(`${issuer.url}/.well-known/oauth-authorization-server`);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      issuer: issuer.url,
      token_endpoint: `${issuer.url}/token`,
      jwks_uri: `${issuer.url}/oauth/jwks`,
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:pre-authorized_code'],
      'pre-authorized_grant_anonymous_access_supported': true,
    });
    const jwks = (await (await fetch(`${issuer.url}/oauth/jwks`)).json()) as { keys: JWK[] };
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256' });
    expect(jwks.keys[0]?.d).toBeUndefined();
  });

  it('serves a draft-13 view of every configuration', async () => {
    const response = await fetch(`${issuer.url}/draft13/.well-known/openid-credential-issuer`);
    const body = (await response.json()) as {
      credential_issuer: string;
      credential_configurations_supported: Record<string, { format: string }>;
    };
    expect(body.credential_issuer).toBe(`${issuer.url}/draft13`);
    const { metadata } = await getMetadata();
    expect(Object.keys(body.credential_configurations_supported)).toEqual(
      Object.keys(metadata.credential_configurations_supported as object),
    );
    expect(body.credential_configurations_supported.national_id_sd_jwt?.format).toBe('vc+sd-jwt');
  });
});
