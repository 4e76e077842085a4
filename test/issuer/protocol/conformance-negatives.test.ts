import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../helpers/system.js';
import { type ForeignAs, startForeignAs } from '../helpers/foreign-as.js';
import {
  expectError,
  freshNonce,
  http,
  postCredential,
  preAuthorizedToken,
} from '../helpers/protocol-client.js';
import { type ProtocolIssuer, startProtocolIssuer } from '../helpers/protocol-issuer.js';
import { type Holder, newHolder, proofJwt, unsignedProof } from '../helpers/wallet.js';

/**
 * The negative modules of the OpenID Foundation conformance suite's OpenID4VCI 1.0 issuer test plan,
 * one test each, named after the module, asserting the exact error. (Module names from the suite's
 * `oid4vci-1_0-issuer-*` family.) The HAIP profile's checks (DPoP-only tokens, ES256 proofs, `haip://`
 * offers), each run with the `haip` switch on and off, are in haip.test.ts beside this file.
 */
let issuer: ProtocolIssuer;
let as: ForeignAs;
let holder: Holder;

beforeAll(async () => {
  const prepared = await testConfig({ services: ['issuer'] });
  as = await startForeignAs({ audience: prepared.config.issuer.publicUrl });
  issuer = await startProtocolIssuer({ prepared, authorizationServers: [as.url] });
  holder = await newHolder();
});
afterAll(async () => {
  await issuer?.stop();
  await as?.stop();
});

async function request(body: Record<string, unknown>, token?: string) {
  return postCredential(
    issuer.url,
    { credential_configuration_id: 'national_id_sd_jwt', ...body },
    token ?? (await as.mint()),
  );
}
const proof = async (options: Partial<Parameters<typeof proofJwt>[1]> = {}) =>
  proofJwt(holder, { audience: issuer.url, nonce: await freshNonce(issuer.url), ...options });

describe('conformance suite negative modules', () => {
  it('happy path first: the same request shape succeeds (so each negative can fail)', async () => {
    const result = await request({ proofs: { jwt: [await proof()] } });
    expect(result.status).toBe(200);
    // A Date header on every response (RFC 9110 §6.6.1), checked by the suite for clock skew.
    expect(Date.parse(result.headers.get('date') ?? '')).not.toBeNaN();
  });

  it('oid4vci-1_0-issuer-fail-invalid-nonce → invalid_nonce', async () => {
    expectError(
      await request({ proofs: { jwt: [await proof({ nonce: 'not-issued-by-us' })] } }),
      400,
      'invalid_nonce',
    );
  });

  it('oid4vci-1_0-issuer-fail-invalid-proof-signature (tampered) → invalid_proof', async () => {
    const jwt = await proof();
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const tampered = `${h}.${p}.${s.startsWith('A') ? `B${s.slice(1)}` : `A${s.slice(1)}`}`;
    expectError(await request({ proofs: { jwt: [tampered] } }), 400, 'invalid_proof');
    const other = (await generateKeyPair('ES256')).privateKey;
    expectError(await request({ proofs: { jwt: [await proof({ signWith: other })] } }), 400, 'invalid_proof');
  });

  it('oid4vci-1_0-issuer-fail-missing-proof → invalid_proof', async () => {
    expectError(await request({}), 400, 'invalid_proof');
  });

  it('oid4vci-1_0-issuer-fail-unknown-credential-configuration → unknown_credential_configuration', async () => {
    expectError(
      await request({
        credential_configuration_id: 'no_such_configuration',
        proofs: { jwt: [await proof()] },
      }),
      400,
      'unknown_credential_configuration',
    );
  });

  it('oid4vci-1_0-issuer-fail-unknown-credential-identifier → unknown_credential_identifier', async () => {
    const token = await preAuthorizedToken(issuer.url);
    expectError(
      await postCredential(
        issuer.url,
        { credential_identifier: 'not_issued', proofs: { jwt: [await proof()] } },
        token,
      ),
      400,
      'unknown_credential_identifier',
    );
    // A token without authorization_details has no identifiers at all.
    expectError(
      await request({
        credential_configuration_id: undefined,
        credential_identifier: 'x',
        proofs: { jwt: [await proof()] },
      }),
      400,
      'unknown_credential_identifier',
    );
  });

  it('oid4vci-1_0-issuer-fail-unsupported-encryption-algorithm → invalid_encryption_parameters', async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP-256', { extractable: true });
    const { exportJWK } = await import('jose');
    const jwk = { ...(await exportJWK(publicKey)), alg: 'RSA-OAEP-256' };
    expectError(
      await request({
        proofs: { jwt: [await proof()] },
        credential_response_encryption: { jwk, enc: 'A256GCM' },
      }),
      400,
      'invalid_encryption_parameters',
    );
  });

  it('oid4vci-1_0-issuer-fail-access-token-in-query → refused (401 challenge, no credential)', async () => {
    const token = await as.mint();
    const result = await http(`${issuer.url}/credential?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        credential_configuration_id: 'national_id_sd_jwt',
        proofs: { jwt: [await proof()] },
      }),
    });
    expect(result.status).toBe(401);
    expect(result.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(result.body).toBeUndefined();
  });

  const proofCases: [string, () => Promise<string>][] = [
    ['a wrong typ', () => proof({ header: { typ: 'JWT' } })],
    ['a wrong aud', () => proof({ audience: 'https://someone-else.example' })],
    ['an iat too old', () => proof({ iat: Math.floor(Date.now() / 1000) - 3600 })],
    ['an iat in the future', () => proof({ iat: Math.floor(Date.now() / 1000) + 3600 })],
    [
      'alg none',
      async () => unsignedProof(holder, { audience: issuer.url, nonce: await freshNonce(issuer.url) }),
    ],
    ['a private key in the header', () => proof({ header: { jwk: holder.privateJwk } })],
    [
      'a symmetric alg (HS256)',
      async () =>
        new SignJWT({
          aud: issuer.url,
          iat: Math.floor(Date.now() / 1000),
          nonce: await freshNonce(issuer.url),
        })
          .setProtectedHeader({ alg: 'HS256', typ: 'openid4vci-proof+jwt', jwk: holder.publicJwk })
          .sign(new Uint8Array(32)),
    ],
  ];
  for (const [name, make] of proofCases) {
    it(`proof with ${name} → invalid_proof`, async () => {
      expectError(await request({ proofs: { jwt: [await make()] } }), 400, 'invalid_proof');
    });
  }

  it('unknown request members are ignored', async () => {
    const result = await request({
      proofs: { jwt: [await proof()] },
      surprise: { nested: true },
      another: 1,
    });
    expect(result.status).toBe(200);
  });

  it('a missing token gets a bare challenge; an invalid one 401 invalid_token with WWW-Authenticate', async () => {
    const anonymous = await postCredential(
      issuer.url,
      { credential_configuration_id: 'national_id_sd_jwt' },
      undefined,
    );
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer, DPoP algs="ES256 EdDSA"');
    const invalid = await request({ proofs: { jwt: [await proof()] } }, 'not.a.token');
    expectError(invalid, 401, 'invalid_token');
    expect(invalid.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });
});
