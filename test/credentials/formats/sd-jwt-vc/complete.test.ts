import { digest } from '@sd-jwt/crypto-nodejs';
import { createHeaderAndPayload, StatusList } from '@sd-jwt/jwt-status-list';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  integrityOf,
  issueSdJwtVc,
  matchesIntegrity,
  verifySdJwtVc,
} from '../../../../src/credentials/formats/sd-jwt-vc/index.js';
import { LocalSigningKey, signCompactJws } from '../../../../src/platform/keys/index.js';

const ISSUER = 'https://issuer.example';
const VCT = 'https://issuer.example/vct/national-id';
const TYPE_METADATA = JSON.stringify({ vct: VCT, name: 'National ID' });
const CLAIMS = {
  given_name: 'Amara',
  address: { street_address: '13 Harbour Road', locality: 'Lagos', country: 'NG' },
  nationalities: ['NG', 'GH'],
  issuing_country: 'XA',
};
const STATUS = { status_list: { idx: 4711, uri: 'https://issuer.example/status/3' } };

let key: LocalSigningKey;
let holderJwk: JWK;
beforeAll(async () => {
  key = await LocalSigningKey.generate('ES256');
  holderJwk = await exportJWK((await generateKeyPair('EdDSA')).publicKey);
});

async function issue(overrides: Partial<Parameters<typeof issueSdJwtVc>[0]> = {}) {
  const iat = Math.floor(Date.now() / 1000);
  return issueSdJwtVc({
    issuerKey: key,
    issuer: ISSUER,
    vct: VCT,
    vctIntegrity: integrityOf(TYPE_METADATA),
    claims: CLAIMS,
    disclosable: [
      'given_name',
      'address',
      ['address', 'locality'],
      ['address', 'country'],
      ['nationalities', null],
    ],
    decoys: 2,
    holderJwk,
    iat,
    exp: iat + 3600,
    status: STATUS,
    ...overrides,
  });
}

/** A Token Status List JWT (draft-ietf-oauth-status-list) with our index set to `status`. */
async function statusListToken(status: number): Promise<string> {
  const list = new StatusList(new Array(8192).fill(0), 1);
  list.setStatus(STATUS.status_list.idx, status);
  const { header, payload } = createHeaderAndPayload(
    list,
    { iss: ISSUER, sub: STATUS.status_list.uri, iat: Math.floor(Date.now() / 1000) },
    { alg: 'ES256', typ: 'statuslist+jwt' },
  );
  return signCompactJws(key, header, payload);
}

/** @sd-jwt/sd-jwt-vc with jose for the signature: independent of our verifier. */
async function libraryVerify(credential: string, listStatus = 0) {
  const library = new SDJwtVcInstance({
    hasher: digest,
    statusListFetcher: async (uri: string) => {
      expect(uri).toBe(STATUS.status_list.uri);
      return statusListToken(listStatus);
    },
    verifier: async (data: string, signature: string) => {
      const jws = `${data}.${signature}`;
      await compactVerify(jws, await importJWK(key.publicJwk, key.alg));
      return true;
    },
  });
  return library.verify(credential);
}

describe('dc+sd-jwt complete', () => {
  it('nested members and array elements are disclosable, decoys hidden, vct#integrity, cnf.jwk and status in the clear', async () => {
    const credential = await issue();
    const { payload } = await libraryVerify(credential);
    expect(payload).toMatchObject({
      iss: ISSUER,
      vct: VCT,
      'vct#integrity': integrityOf(TYPE_METADATA),
      cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', x: holderJwk.x } },
      status: STATUS,
      given_name: 'Amara',
      address: { street_address: '13 Harbour Road', locality: 'Lagos', country: 'NG' },
      nationalities: ['NG', 'GH'],
      issuing_country: 'XA',
    });
    expect(matchesIntegrity(TYPE_METADATA, payload['vct#integrity'] as string)).toBe(true);

    const jwtPayload = JSON.parse(
      Buffer.from((credential.split('~')[0] as string).split('.')[1] as string, 'base64url').toString(),
    );
    // given_name, address (recursive) + 2 decoys at the top; locality, country + 2 decoys inside.
    expect(jwtPayload._sd).toHaveLength(4);
    expect(jwtPayload).not.toHaveProperty('address');
    expect(jwtPayload).not.toHaveProperty('given_name');
    expect(jwtPayload.issuing_country).toBe('XA');
    // Array elements: two `...` digests for the elements, two decoys.
    expect(jwtPayload.nationalities).toHaveLength(4);
    expect(jwtPayload.nationalities.every((e: object) => Object.keys(e).join() === '...')).toBe(true);
    // 5 disclosures: given_name, address, locality, country, two nationalities = 6.
    expect(credential.split('~').filter(Boolean)).toHaveLength(1 + 6);
    expect(decodeProtectedHeader(credential).typ).toBe('dc+sd-jwt');

    const ours = await verifySdJwtVc(credential, { issuerJwks: { keys: [key.publicJwk] } });
    expect(ours.claims.address).toEqual(CLAIMS.address);
  });

  it('a holder can withhold one array element and a nested member; the library still verifies', async () => {
    const credential = await issue();
    const [jwt, ...disclosures] = credential.split('~').filter(Boolean) as [string, ...string[]];
    const decoded = disclosures.map((d) => JSON.parse(Buffer.from(d, 'base64url').toString()));
    const keep = disclosures.filter((_, i) => {
      const d = decoded[i];
      return !(d.length === 2 && d[1] === 'GH') && !(d.length === 3 && d[1] === 'locality');
    });
    const presented = `${[jwt, ...keep].join('~')}~`;
    const { payload } = await libraryVerify(presented);
    expect(payload.nationalities).toEqual(['NG']);
    expect(payload.address).toEqual({ street_address: '13 Harbour Road', country: 'NG' });
  });

  it('the status claim is honoured by the library: a revoked index fails', async () => {
    const credential = await issue();
    await expect(libraryVerify(credential, 1)).rejects.toThrow('Status is not valid');
  });

  it('vc+sd-jwt is issued for older wallets and still verifies', async () => {
    const credential = await issue({ typ: 'vc+sd-jwt' });
    expect(decodeProtectedHeader(credential).typ).toBe('vc+sd-jwt');
    await expect(libraryVerify(credential)).resolves.toBeDefined();
    await expect(verifySdJwtVc(credential, { issuerJwks: { keys: [key.publicJwk] } })).resolves.toBeDefined();
  });

  it('tampering with a disclosure or the payload fails in the library', async () => {
    const credential = await issue({ decoys: 0 });
    const parts = credential.split('~');
    const disclosure = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString());
    disclosure[disclosure.length - 1] = 'Mallory';
    const forged = [
      parts[0],
      Buffer.from(JSON.stringify(disclosure)).toString('base64url'),
      ...parts.slice(2),
    ].join('~');
    // The library drops a disclosure no digest references (so the forged value never shows);
    // ours refuses the credential outright (RFC 9901 §7.1 step 5).
    const { payload } = await libraryVerify(forged);
    expect(JSON.stringify(payload)).not.toContain('Mallory');
    await expect(verifySdJwtVc(forged, { issuerJwks: { keys: [key.publicJwk] } })).rejects.toThrow(
      'disclosure not referenced by the credential',
    );

    const [h, p, s] = (parts[0] as string).split('.') as [string, string, string];
    const body = JSON.parse(Buffer.from(p, 'base64url').toString());
    body.status.status_list.idx = 1;
    const resigned = [
      `${h}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.${s}`,
      ...parts.slice(1),
    ].join('~');
    await expect(libraryVerify(resigned)).rejects.toThrow();
  });
});
