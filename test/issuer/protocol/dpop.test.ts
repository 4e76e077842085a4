import { generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createOffer,
  type DpopKey,
  dpopProof,
  expectError,
  newDpopKey,
  postCredential,
  preAuthorizedCode,
  proofsFor,
  redeem,
} from '../helpers/protocol-client.js';
import { protocolIssuerForFile } from '../helpers/protocol-issuer.js';
import { newHolder } from '../helpers/wallet.js';

let key: DpopKey;

const issuer = protocolIssuerForFile();
beforeAll(async () => {
  key = await newDpopKey();
});

/** A DPoP-bound token from the pre-authorized grant. */
async function boundToken(): Promise<string> {
  const offer = await createOffer(issuer.url, {
    credential_configuration_ids: ['national_id_sd_jwt'],
    claims: { given_name: 'Amara', nationalities: ['TG'] },
  });
  const code = preAuthorizedCode(offer);
  const token = await redeem(issuer.url, code, undefined, {
    dpop: await dpopProof(key, 'POST', `${issuer.url}/token`),
  });
  expect(token.status).toBe(200);
  expect(token.body?.token_type).toBe('DPoP');
  return token.body?.access_token as string;
}

async function request(token: string, dpop: string | undefined, scheme = 'DPoP') {
  const [proof] = await proofsFor(issuer.url, [await newHolder()]);
  return postCredential(
    issuer.url,
    { credential_identifier: 'national_id_sd_jwt', proofs: { jwt: [proof] } },
    token,
    { scheme, headers: dpop ? { dpop } : {} },
  );
}

const url = () => `${issuer.url}/credential`;

describe('DPoP-bound access tokens (RFC 9449)', () => {
  it('issues with a valid DPoP proof', async () => {
    const token = await boundToken();
    const result = await request(token, await dpopProof(key, 'POST', url(), { accessToken: token }));
    expect(result.status).toBe(200);
  });

  it('refuses the Bearer scheme for a bound token with invalid_token', async () => {
    const token = await boundToken();
    const result = await request(token, undefined, 'Bearer');
    expectError(result, 401, 'invalid_token');
    expect(result.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('refuses a missing DPoP proof', async () => {
    const result = await request(await boundToken(), undefined);
    expectError(result, 401, 'invalid_dpop_proof');
    expect(result.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });

  const cases: [string, (token: string) => Promise<string>][] = [
    [
      'a signature by another key',
      async (t) =>
        dpopProof(key, 'POST', url(), {
          accessToken: t,
          signWith: (await generateKeyPair('ES256')).privateKey,
        }),
    ],
    ['the wrong htm', (t) => dpopProof(key, 'GET', url(), { accessToken: t })],
    ['the wrong htu', (t) => dpopProof(key, 'POST', `${issuer.url}/nonce`, { accessToken: t })],
    [
      'an old iat',
      (t) =>
        dpopProof(key, 'POST', url(), {
          accessToken: t,
          claims: { iat: Math.floor(Date.now() / 1000) - 3600 },
        }),
    ],
    [
      'an iat in the future',
      (t) =>
        dpopProof(key, 'POST', url(), {
          accessToken: t,
          claims: { iat: Math.floor(Date.now() / 1000) + 3600 },
        }),
    ],
    ['no jti', (t) => dpopProof(key, 'POST', url(), { accessToken: t, claims: { jti: undefined } })],
    ['no ath', () => dpopProof(key, 'POST', url())],
    ['the ath of another token', (t) => dpopProof(key, 'POST', url(), { accessToken: `${t}x` })],
    [
      'another key than cnf.jkt',
      async (t) => dpopProof(await newDpopKey(), 'POST', url(), { accessToken: t }),
    ],
    ['the wrong typ', (t) => dpopProof(key, 'POST', url(), { accessToken: t, header: { typ: 'JWT' } })],
    [
      'a private key in its header',
      (t) =>
        dpopProof(key, 'POST', url(), { accessToken: t, header: { jwk: { ...key.publicJwk, d: 'AAAA' } } }),
    ],
  ];
  for (const [name, make] of cases) {
    it(`refuses a DPoP proof with ${name}`, async () => {
      const token = await boundToken();
      expectError(await request(token, await make(token)), 401, 'invalid_dpop_proof');
    });
  }

  it('refuses a replayed DPoP proof (jti)', async () => {
    const token = await boundToken();
    const proof = await dpopProof(key, 'POST', url(), { accessToken: token });
    expect((await request(token, proof)).status).toBe(200);
    expectError(await request(token, proof), 401, 'invalid_dpop_proof');
  });

  it('refuses a bad DPoP proof at the token endpoint with 400 invalid_dpop_proof', async () => {
    const offer = await createOffer(issuer.url, {
      credential_configuration_ids: ['national_id_sd_jwt'],
      claims: { given_name: 'Amara', nationalities: ['TG'] },
    });
    const code = preAuthorizedCode(offer);
    const result = await redeem(issuer.url, code, undefined, {
      dpop: await dpopProof(key, 'POST', `${issuer.url}/credential`),
    });
    expectError(result, 400, 'invalid_dpop_proof');
  });
});
