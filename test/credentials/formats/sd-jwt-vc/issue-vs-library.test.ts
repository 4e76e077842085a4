import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueSdJwtVc } from '../../../../src/credentials/formats/sd-jwt-vc/index.js';
import { LocalSigningKey, type SigningAlgorithm } from '../../../../src/platform/keys/index.js';
import { NATIONAL_ID_CLAIMS, NATIONAL_ID_DISCLOSABLE } from '../../../helpers/demo-records.js';
import { libraryIssueSdJwtVc } from '../../../helpers/library-sd-jwt-issue.js';

/**
 * Our SD-JWT assembly (issue.ts) against @sd-jwt/sd-jwt-vc 0.19 issuing from the same input, as the
 * issuer did before: both read back by the library's own verify/decode with its own hasher, which
 * must find the same claims, the same disclosures and the same digest layout (decoys included).
 */

const ADDRESS = NATIONAL_ID_CLAIMS.address;
const DEGREES = [
  { type: 'BSc', year: 1990, honours: ['first', 'prize'] },
  { type: 'MSc', year: 1995 },
];
const WITH_ARRAYS = {
  given_name: 'Amara',
  nationalities: ['NG', 'FR', 'DE'],
  degrees: DEGREES,
  address: ADDRESS,
  'unicode é 名': 'Ωmega 🙂',
  nothing: null,
};

type Input = Pick<Parameters<typeof issueSdJwtVc>[0], 'claims' | 'disclosable' | 'decoys'>;

const CASES: Record<string, Input & { disclosures: number; decoyDigests?: number }> = {
  'flat: top-level members (the national_id claims, 12 disclosures)': {
    claims: NATIONAL_ID_CLAIMS,
    disclosable: NATIONAL_ID_DISCLOSABLE,
    disclosures: 12,
  },
  'nested: members of an object that stays in the clear': {
    claims: WITH_ARRAYS,
    disclosable: ['address.locality', ['address', 'country'], 'unicode é 名', 'nothing'],
    disclosures: 4,
  },
  'array elements: every element (null), one index, members of every element': {
    claims: WITH_ARRAYS,
    disclosable: [
      ['nationalities', null],
      ['degrees', 1],
      ['degrees', null, 'year'],
      ['degrees', 0, 'honours', 1],
    ],
    disclosures: 3 + 1 + 2 + 1,
  },
  'recursive: a parent disclosable with its members, an element with its members': {
    claims: WITH_ARRAYS,
    disclosable: [
      'address',
      'address.locality',
      'address.country',
      'degrees',
      ['degrees', 0],
      ['degrees', 0, 'type'],
      ['degrees', 0, 'honours', null],
      ['nationalities', 2],
      'nationalities',
    ],
    disclosures: 3 + 1 + 1 + 1 + 2 + 2,
  },
  'decoys: in every _sd the paths make, in element arrays, and at the top level': {
    claims: WITH_ARRAYS,
    disclosable: ['given_name', 'address.locality', ['nationalities', null], ['degrees', 1, 'type']],
    decoys: 3,
    disclosures: 1 + 1 + 3 + 1,
    // Three in each of the four places a path makes disclosable: the top level, address,
    // nationalities (as elements) and degrees[1]; none in degrees itself, which only holds a path.
    decoyDigests: 4 * 3,
  },
  'decoys at the top level only, no disclosable claim': {
    claims: NATIONAL_ID_CLAIMS,
    disclosable: [],
    decoys: 2,
    disclosures: 0,
    decoyDigests: 2,
  },
  'no disclosable claim, no decoys': { claims: NATIONAL_ID_CLAIMS, disclosable: [], disclosures: 0 },
  'paths that are not in the claims are skipped': {
    claims: WITH_ARRAYS,
    disclosable: [
      'missing',
      'address.missing',
      ['nationalities', 3],
      ['nationalities', -1],
      ['nationalities', 'x'],
      ['address', 0],
      ['address', null],
      ['degrees', null, 'missing'],
      'given_name',
      'given_name',
    ],
    disclosures: 1,
  },
};

let holderJwk: JWK;
beforeAll(async () => {
  holderJwk = await exportJWK((await generateKeyPair('ES256')).publicKey);
});

const ISSUER = 'https://issuer.example';
const VCT = 'https://issuer.example/types/national-id';

const IAT = Math.floor(Date.now() / 1000);

function options(key: LocalSigningKey, input: Input): Parameters<typeof issueSdJwtVc>[0] {
  return { issuerKey: key, issuer: ISSUER, vct: VCT, holderJwk, iat: IAT, exp: IAT + 86_400, ...input };
}

/** @sd-jwt/sd-jwt-vc as a verifier: its own hasher, jose for the signature. */
async function library(key: LocalSigningKey) {
  const publicKey = await importJWK(key.publicJwk, key.alg);
  return new SDJwtVcInstance({
    hasher: digest,
    verifier: (data: string, signature: string) =>
      compactVerify(`${data}.${signature}`, publicKey).then(
        () => true,
        () => false,
      ),
  });
}

/** The payload with every digest replaced by `#`: where digests are and how many, not their values. */
function layout(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(layout);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([name, value]) => [
      name,
      name === '_sd' || name === '...' ? (Array.isArray(value) ? value.map(() => '#') : '#') : layout(value),
    ]),
  );
}

/** Every digest in the payload (`_sd` members and `...` values), in document order. */
function digests(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) digests(item, out);
  else if (typeof node === 'object' && node !== null) {
    for (const [name, value] of Object.entries(node)) {
      if (name === '_sd') out.push(...(value as string[]));
      else if (name === '...') out.push(value as string);
      else digests(value, out);
    }
  }
  return out;
}

/** Every `_sd` array of the payload. */
function sdArrays(node: unknown, out: string[][] = []): string[][] {
  if (Array.isArray(node)) for (const item of node) sdArrays(item, out);
  else if (typeof node === 'object' && node !== null) {
    for (const [name, value] of Object.entries(node)) {
      if (name === '_sd') out.push(value as string[]);
      else sdArrays(value, out);
    }
  }
  return out;
}

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

describe.each(['ES256', 'EdDSA'] as SigningAlgorithm[])('our SD-JWT assembly beside @sd-jwt (%s)', (alg) => {
  let key: LocalSigningKey;
  beforeAll(async () => {
    key = await LocalSigningKey.generate(alg);
  });

  it.each(Object.entries(CASES))('%s', async (_name, input) => {
    const ours = await issueSdJwtVc(options(key, input));
    const theirs = await libraryIssueSdJwtVc(options(key, input));
    const verifier = await library(key);

    // The library verifies both and finds the same claims.
    const oursVerified = await verifier.verify(ours);
    const theirsVerified = await verifier.verify(theirs);
    expect(oursVerified.payload).toEqual(theirsVerified.payload);
    expect(oursVerified.header).toEqual(theirsVerified.header);
    expect(oursVerified.payload).toMatchObject({ ...input.claims, iss: ISSUER, vct: VCT });

    // Decoded: the same disclosures in the same order, digests in the same places (in disclosed
    // values too: the digests of a recursive disclosure differ only by their random salts).
    const oursDecoded = await verifier.decode(ours);
    const theirsDecoded = await verifier.decode(theirs);
    const plain = (d: { key?: string; value: unknown }) =>
      d.key === undefined ? [layout(d.value)] : [d.key, layout(d.value)];
    expect(oursDecoded.disclosures?.map(plain)).toEqual(theirsDecoded.disclosures?.map(plain));
    expect(oursDecoded.disclosures).toHaveLength(input.disclosures);
    expect(layout(oursDecoded.jwt?.payload)).toEqual(layout(theirsDecoded.jwt?.payload));
    expect(JSON.stringify(Object.keys(oursDecoded.jwt?.payload ?? {}))).toBe(
      JSON.stringify(Object.keys(theirsDecoded.jwt?.payload ?? {})),
    );

    // RFC 9901 by the letter, checked with the library's hasher rather than ours.
    const [jwt, ...rest] = ours.split('~');
    expect(rest.at(-1)).toBe(''); // `<jwt>~<d1>~…~<dn>~`, no key binding JWT (§4)
    const encoded = rest.slice(0, -1);
    expect(encoded).toHaveLength(input.disclosures);
    const payload = JSON.parse(Buffer.from(jwt?.split('.')[1] ?? '', 'base64url').toString('utf8'));
    expect(payload._sd_alg).toBe('sha-256'); // §4.1.1
    const arrays = encoded.map((d) => JSON.parse(Buffer.from(d, 'base64url').toString('utf8')) as unknown[]);
    // Digests sit in the payload and, for recursive disclosure (§4.2.6), in disclosed values.
    const all = digests([payload, ...arrays.map((array) => array.at(-1))]);
    for (const [i, array] of arrays.entries()) {
      expect([2, 3]).toContain(array.length); // §4.2.1 / §4.2.2
      expect(Buffer.from(array[0] as string, 'base64url').length).toBeGreaterThanOrEqual(16); // §9.3: ≥ 128-bit salts
      const hash = b64u(await digest(encoded[i] as string, 'sha-256')); // §4.2.3
      expect(all.filter((d) => d === hash)).toHaveLength(1);
    }
    const theirsAll = digests([
      theirsDecoded.jwt?.payload,
      ...(theirsDecoded.disclosures ?? []).map((d) => d.value),
    ]);
    // The same number of decoys (§4.2.5): digests no disclosure answers.
    expect(all.length - encoded.length).toBe(theirsAll.length - (theirsDecoded.disclosures?.length ?? 0));
    expect(all.length - encoded.length).toBe(input.decoyDigests ?? 0);
    for (const sd of sdArrays([payload, ...arrays])) expect(sd).toEqual([...sd].sort()); // §4.2.4.1
    expect(new Set(all).size).toBe(all.length);
  });

  it('has the header of SD-JWT VC: typ dc+sd-jwt, or vc+sd-jwt when asked, the kid and an x5c chain', async () => {
    const verifier = await library(key);
    const plain = await verifier.decode(
      await issueSdJwtVc(options(key, { claims: NATIONAL_ID_CLAIMS, disclosable: [] })),
    );
    expect(plain.jwt?.header).toEqual({ typ: 'dc+sd-jwt', alg, kid: key.kid });
    const input = {
      ...options(key, { claims: NATIONAL_ID_CLAIMS, disclosable: NATIONAL_ID_DISCLOSABLE }),
      typ: 'vc+sd-jwt' as const,
      x5c: [new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), new Uint8Array([0x30, 0x00])],
      vctIntegrity: 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
      status: { status_list: { idx: 7, uri: 'https://issuer.example/status/1' } },
    };
    const ours = await verifier.decode(await issueSdJwtVc(input));
    const theirs = await verifier.decode(await libraryIssueSdJwtVc(input));
    expect(ours.jwt?.header).toEqual({ typ: 'vc+sd-jwt', alg, kid: key.kid, x5c: ['MAMCAQE=', 'MAA='] });
    expect(ours.jwt?.header).toEqual(theirs.jwt?.header);
    expect(ours.jwt?.payload).toMatchObject({
      'vct#integrity': input.vctIntegrity,
      status: input.status,
      cnf: { jwk: { kty: 'EC', crv: 'P-256', x: holderJwk.x, y: holderJwk.y } },
    });
    expect(layout(ours.jwt?.payload)).toEqual(layout(theirs.jwt?.payload));
  });
});

describe('a path through a value that is neither object nor array', () => {
  it('is skipped like any path not in the claims (the library turned the string into an object)', async () => {
    const key = await LocalSigningKey.generate('ES256');
    const credential = await issueSdJwtVc(
      options(key, {
        claims: { given_name: 'Amara', age: 56, nothing: null },
        disclosable: [['given_name', 'first'], ['age', 0], ['nothing', 'x'], 'age'],
      }),
    );
    const { payload } = await (await library(key)).verify(credential);
    expect(payload).toMatchObject({ given_name: 'Amara', age: 56, nothing: null });
    expect(credential.split('~')).toHaveLength(3); // the JWT, one disclosure (age), the final ''
  });
});
