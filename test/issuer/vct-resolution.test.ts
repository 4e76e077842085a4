import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ForeignAs, startForeignAs } from './helpers/foreign-as.js';
import { issuerConfig, startIssuer, type TestIssuer } from './helpers/issuer.js';
import { newHolder, proofJwt } from './helpers/wallet.js';

/**
 * SD-JWT VC §6.3.1: a `vct` that is an https URL is where a verifier fetches the type's metadata.
 * The demo `vct`s are URLs of the issuer, and what they serve is what `vct#integrity` hashes.
 */
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

async function issue(configurationId: string, sub: string): Promise<string> {
  const { c_nonce } = (await (await fetch(`${issuer.url}/nonce`, { method: 'POST' })).json()) as {
    c_nonce: string;
  };
  const token = await as.mint({ claims: { sub, scope: 'national_id insurance_policy driving_licence' } });
  const response = await fetch(`${issuer.url}/credential`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      credential_configuration_id: configurationId,
      proofs: { jwt: [await proofJwt(await newHolder('ES256'), { audience: issuer.url, nonce: c_nonce })] },
    }),
  });
  expect(response.status).toBe(200);
  return (
    ((await response.json()) as { credentials: { credential: string }[] }).credentials[0]?.credential ?? ''
  );
}

it.each([
  ['national_id_sd_jwt', '5102030400', 'national-id'],
  ['insurance_policy_sd_jwt', 'POL-0700100', 'insurance-policy'],
  ['driving_licence_sd_jwt', '5102030400', 'driving-licence'],
])(
  '%s: the credential vct is a URL that serves its type metadata, matching vct#integrity',
  async (id, sub, name) => {
    const metadata = (await (await fetch(`${issuer.url}/.well-known/openid-credential-issuer`)).json()) as {
      credential_configurations_supported: Record<string, { vct?: string }>;
    };
    const vct = metadata.credential_configurations_supported[id]?.vct;
    expect(vct).toBe(`${issuer.url}/types/${name}`);

    const credential = await issue(id, sub);
    const payload = decodeJwt(credential.split('~')[0] as string);
    expect(payload.vct).toBe(vct);

    const response = await fetch(vct as string);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    expect((JSON.parse(text) as { vct: string }).vct).toBe(vct);
    expect(payload['vct#integrity']).toBe(`sha256-${createHash('sha256').update(text).digest('base64')}`);
    // The same bytes as the configuration's own address.
    expect(await (await fetch(`${issuer.url}/type-metadata/${id}`)).text()).toBe(text);
  },
);

it('a type URL the issuer does not define is a 404 in the protocol error shape', async () => {
  const response = await fetch(`${issuer.url}/types/no-such-type`);
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({ error: 'not_found', error_description: 'no type metadata' });
});
