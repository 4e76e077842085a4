import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CredentialVerificationError } from '../../../../src/credentials/errors.js';
import { issueSdJwtVc, verifySdJwtVc } from '../../../../src/credentials/formats/sd-jwt-vc/index.js';
import {
  LocalSigningKey,
  type SigningAlgorithm,
  signCompactJws,
} from '../../../../src/platform/keys/index.js';

const ISSUER = 'https://issuer.example';
const VCT = 'urn:example:national-id:1';
const CLAIMS = {
  given_name: 'Amara',
  family_name: 'Okafor',
  birthdate: '1970-03-13',
  address: { street_address: '13 Harbour Road', locality: 'Lagos', country: 'NG' },
  nationalities: ['NG'],
  issuing_country: 'XA',
};
const DISCLOSABLE = [
  'given_name',
  'family_name',
  'birthdate',
  'address',
  'address.street_address',
  'address.locality',
  'address.country',
  'nationalities',
];

let holderJwk: JWK;
beforeAll(async () => {
  holderJwk = await exportJWK((await generateKeyPair('ES256')).publicKey);
});

async function issue(key: LocalSigningKey, overrides: Partial<Parameters<typeof issueSdJwtVc>[0]> = {}) {
  const iat = Math.floor(Date.now() / 1000);
  return issueSdJwtVc({
    issuerKey: key,
    issuer: ISSUER,
    vct: VCT,
    claims: CLAIMS,
    disclosable: DISCLOSABLE,
    holderJwk,
    iat,
    exp: iat + 3600,
    ...overrides,
  });
}

const jwksOf = (key: LocalSigningKey) => ({ keys: [key.publicJwk] });

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialVerificationError);
  return (error as Error).message;
}

/** The library's verifier, with the issuer key and jose for the signature: independent of ours. */
async function libraryVerify(credential: string, key: LocalSigningKey) {
  const publicKey = await importJWK(key.publicJwk, key.alg);
  const library = new SDJwtVcInstance({
    hasher: digest,
    verifier: (data: string, signature: string) =>
      compactVerify(`${data}.${signature}`, publicKey).then(
        () => true,
        () => false,
      ),
  });
  return library.verify(credential);
}

describe.each(['ES256', 'EdDSA'] as SigningAlgorithm[])('an SD-JWT VC signed with %s', (alg) => {
  let key: LocalSigningKey;
  let credential: string;
  beforeAll(async () => {
    key = await LocalSigningKey.generate(alg);
    credential = await issue(key);
  });

  it('has the SD-JWT VC header and registered claims, with personal claims only as disclosures', async () => {
    const { header, payload, claims, disclosures } = await verifySdJwtVc(credential, {
      issuerJwks: jwksOf(key),
      expectedIssuer: ISSUER,
    });
    expect(header).toEqual({ typ: 'dc+sd-jwt', alg, kid: key.kid });
    expect(payload).toMatchObject({ iss: ISSUER, vct: VCT, _sd_alg: 'sha-256', issuing_country: 'XA' });
    expect(payload.exp).toBe((payload.iat as number) + 3600);
    expect(payload.cnf).toEqual({ jwk: { kty: 'EC', crv: 'P-256', x: holderJwk.x, y: holderJwk.y } });
    for (const name of ['given_name', 'family_name', 'birthdate', 'address', 'nationalities']) {
      expect(payload[name]).toBeUndefined();
    }
    expect(claims).toMatchObject(CLAIMS);
    expect(claims._sd).toBeUndefined();
    expect(disclosures).toHaveLength(DISCLOSABLE.length);
    expect(disclosures).toContainEqual({ name: 'given_name', value: 'Amara' });
    expect(disclosures).toContainEqual({ name: 'locality', value: 'Lagos' });
    expect(credential.endsWith('~')).toBe(true);
  });

  it('is accepted by @sd-jwt/sd-jwt-vc', async () => {
    const { payload } = await libraryVerify(credential, key);
    expect(payload).toMatchObject({ ...CLAIMS, iss: ISSUER, vct: VCT });
  });

  it('verifies a presentation of a subset of the disclosures', async () => {
    const library = new SDJwtVcInstance({ hasher: digest });
    const presented = await library.present<typeof CLAIMS>(credential, {
      given_name: true,
      address: { locality: true },
    });
    const { claims, disclosures } = await verifySdJwtVc(presented, { issuerJwks: jwksOf(key) });
    expect(claims.given_name).toBe('Amara');
    expect(claims.family_name).toBeUndefined();
    expect(claims.address).toEqual({ locality: 'Lagos' });
    expect(disclosures.map((d) => d.name).sort()).toEqual(['address', 'given_name', 'locality']);
  });
});

describe('verifySdJwtVc refuses', () => {
  let key: LocalSigningKey;
  let credential: string;
  let jwt: string;
  let disclosures: string[];
  beforeAll(async () => {
    key = await LocalSigningKey.generate('ES256');
    credential = await issue(key);
    [jwt, ...disclosures] = credential.split('~').slice(0, -1) as [string, ...string[]];
  });
  const verify = (sdJwt: string, options: Partial<Parameters<typeof verifySdJwtVc>[1]> = {}) =>
    verifySdJwtVc(sdJwt, { issuerJwks: jwksOf(key), ...options });
  const assemble = (issuerJwt: string, parts: string[]) => `${issuerJwt}~${parts.join('~')}~`;

  it('a tampered payload', async () => {
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.issuing_country = 'ZZ';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect(await rejection(verify(assemble(forged, disclosures)))).toBe('signature invalid');
  });

  it('a tampered disclosure', async () => {
    const index = disclosures.findIndex((d) =>
      Buffer.from(d, 'base64url').toString().includes('"birthdate"'),
    );
    const [salt] = JSON.parse(Buffer.from(disclosures[index] as string, 'base64url').toString());
    const forged = [...disclosures];
    forged[index] = Buffer.from(JSON.stringify([salt, 'birthdate', '2010-01-01'])).toString('base64url');
    expect(await rejection(verify(assemble(jwt, forged)))).toBe(
      'disclosure not referenced by the credential',
    );
  });

  it('a tampered signature', async () => {
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const bytes = Buffer.from(s, 'base64url');
    bytes[0] = (bytes[0] as number) ^ 0x01;
    expect(await rejection(verify(assemble(`${h}.${p}.${bytes.toString('base64url')}`, disclosures)))).toBe(
      'signature invalid',
    );
  });

  it('a disclosure from another credential, or one repeated', async () => {
    const other = (await issue(key)).split('~')[1] as string;
    expect(await rejection(verify(assemble(jwt, [...disclosures, other])))).toBe(
      'disclosure not referenced by the credential',
    );
    expect(await rejection(verify(assemble(jwt, [...disclosures, disclosures[0] as string])))).toBe(
      'disclosure repeated',
    );
  });

  it('a credential signed by a key not in the issuer JWKS', async () => {
    const stranger = await LocalSigningKey.generate('ES256');
    expect(await rejection(verify(credential, { issuerJwks: jwksOf(stranger) }))).toBe(
      'no issuer key matches',
    );
  });

  it('another issuer than expected', async () => {
    expect(await rejection(verify(credential, { expectedIssuer: 'https://evil.example' }))).toBe(
      'unexpected issuer',
    );
  });

  it('an expired credential, and one not yet issued', async () => {
    const iat = Math.floor(Date.now() / 1000);
    expect(await rejection(verify(credential, { now: iat + 7200 }))).toBe('expired');
    expect(await rejection(verify(credential, { now: new Date((iat - 3600) * 1000) }))).toBe(
      'issued in the future',
    );
    await expect(verify(credential, { now: new Date() })).resolves.toBeDefined();
  });

  it('a key binding JWT it was not asked to check', async () => {
    expect(await rejection(verify(`${credential}eyJhbGciOiJFUzI1NiJ9.e30.c2ln`))).toBe(
      'key binding JWT not expected',
    );
  });

  it('a JWT of another type, and a plain JWT', async () => {
    const plain = await signCompactJws(key, { typ: 'JWT' }, { iss: ISSUER, vct: VCT });
    expect(await rejection(verify(`${plain}~`))).toBe('wrong typ');
    expect(await rejection(verify(plain))).toBe('not an SD-JWT (no ~ separator)');
  });
});

describe('issueSdJwtVc refuses', () => {
  it('a personal claim with a registered claim name', async () => {
    const key = await LocalSigningKey.generate('ES256');
    await expect(issue(key, { claims: { ...CLAIMS, iss: 'https://forged.example' } })).rejects.toThrow(
      /reserved/,
    );
    await expect(issue(key, { claims: { cnf: {} } })).rejects.toThrow(/reserved/);
  });

  it('a holder key that carries private material', async () => {
    const key = await LocalSigningKey.generate('ES256');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    await expect(issue(key, { holderJwk: await exportJWK(privateKey) })).rejects.toThrow(/private/);
  });
});
