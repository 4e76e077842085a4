import { createHash, createPublicKey, generateKeyPairSync, type JsonWebKey, verify } from 'node:crypto';
import { Encoder, Tag } from 'cbor-x';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type IssueMdocOptions, issueMdoc } from '../../../../src/credentials/formats/mso-mdoc/issue.js';
import { MDL_DOCTYPE, MDL_NAMESPACE } from '../../../../src/credentials/formats/mso-mdoc/mdl.js';
import { libraryIssueMdoc } from '../../../helpers/library-mdoc-issue.js';
import { certificateChain, DRIVING_LICENCE_ELEMENTS } from './helpers.js';

/**
 * mso_mdoc encoded by us (cbor-x) beside @owf/mdoc's structures (the issuer until 2026-12-07) from the same
 * input: the same IssuerSigned and MSO members, element values, device key, validity, status and headers; and
 * in ours, each item's digest is SHA-256 over its IssuerSignedItemBytes (ISO/IEC 18013-5 §9.1.2.5) and the
 * COSE_Sign1 verifies over its Sig_structure (RFC 9052 §4.4) with the document signer's key — both checked here
 * with node:crypto, not with either encoder.
 */
const decoder = new Encoder({ tagUint8Array: false, useRecords: false, mapsAsObjects: false });
const decode = (bytes: Uint8Array) => decoder.decode(bytes) as unknown;
/** The bytes inside #6.24, however the decoder presents it (a Tag, or @owf/mdoc's DataItem when it is loaded). */
const embeddedBytes = (value: unknown): Uint8Array =>
  value instanceof Tag ? (value.value as Uint8Array) : (value as { buffer: Uint8Array }).buffer;

let chain: Awaited<ReturnType<typeof certificateChain>>;
const holders: Record<string, JWK> = {};

beforeAll(async () => {
  chain = await certificateChain();
  holders['P-256'] = await exportJWK((await generateKeyPair('ES256')).publicKey);
  holders.Ed25519 = await exportJWK((await generateKeyPair('EdDSA', { crv: 'Ed25519' })).publicKey);
});

const NOW = new Date('2026-12-07T10:20:30.456Z');
const UNTIL = new Date('2027-12-07T00:00:00Z');
const MDL = DRIVING_LICENCE_ELEMENTS;

function decodeIssued(encoded: string) {
  const issued = decode(Buffer.from(encoded, 'base64url')) as Map<string, unknown>;
  const [protectedBytes, unprotected, payload, signature] = issued.get('issuerAuth') as [
    Uint8Array,
    Map<number, unknown>,
    Uint8Array,
    Uint8Array,
  ];
  const mso = decode(embeddedBytes(decode(payload))) as Map<string, unknown>;
  const namespaces = new Map(
    [...(issued.get('nameSpaces') as Map<string, unknown[]>)].map(([ns, items]) => [
      ns,
      items.map((item) => {
        const bytes = embeddedBytes(item);
        return { bytes, item: decode(bytes) as Map<string, unknown> };
      }),
    ]),
  );
  return { keys: [...issued.keys()], protectedBytes, unprotected, payload, signature, mso, namespaces };
}

const CASES: Record<string, () => IssueMdocOptions> = {
  'an mDL with every mandatory element and a status reference': () => ({
    docType: MDL_DOCTYPE,
    namespaces: { [MDL_NAMESPACE]: MDL },
    signer: chain.signer,
    certificates: [chain.ds],
    holderJwk: holders['P-256'] as JWK,
    validFrom: NOW,
    validUntil: UNTIL,
    signed: NOW,
    status: { idx: 4711, uri: 'https://issuer.example/status/token/1' },
  }),
  'two namespaces, an Ed25519 holder, a chain of two certificates, no status': () => ({
    docType: 'org.example.card',
    namespaces: {
      'org.example.card.1': { card_number: 'C-1', valid_date: '2026-01-01', tags: ['a', 'b'] },
      'org.example.card.2': { points: 12, nested: { level: 'gold', since_date: '2020-02-29' } },
    },
    signer: chain.signer,
    certificates: [chain.ds, chain.iaca],
    holderJwk: holders.Ed25519 as JWK,
    validFrom: NOW,
    validUntil: UNTIL,
    signed: NOW,
  }),
};

describe.each(Object.keys(CASES))('mso_mdoc issuance, ours and @owf/mdoc: %s', (name) => {
  it('gives the same structures, element values, device key, validity, status and headers', async () => {
    const options = (CASES[name] as () => IssueMdocOptions)();
    const [ours, library] = [
      decodeIssued(await issueMdoc(options)),
      decodeIssued(await libraryIssueMdoc(options)),
    ];
    expect(ours.keys).toEqual(library.keys);
    expect(Buffer.from(ours.protectedBytes)).toEqual(Buffer.from(library.protectedBytes));
    expect(ours.unprotected).toEqual(library.unprotected);
    expect([...ours.mso.keys()]).toEqual([...library.mso.keys()]);
    for (const member of ['version', 'digestAlgorithm', 'docType', 'validityInfo', 'deviceKeyInfo', 'status'])
      expect(ours.mso.get(member)).toEqual(library.mso.get(member));
    expect([...ours.namespaces.keys()]).toEqual([...library.namespaces.keys()]);
    for (const [ns, items] of ours.namespaces) {
      const theirs = library.namespaces.get(ns) ?? [];
      const view = (list: typeof items) =>
        list.map(({ item }) => ({
          keys: [...item.keys()],
          identifier: item.get('elementIdentifier'),
          value: item.get('elementValue'),
          saltLength: (item.get('random') as Uint8Array).length,
        }));
      expect(view(items)).toEqual(view(theirs));
    }
  });

  it('digests each IssuerSignedItemBytes under its id, and signs the Sig_structure with the document signer', async () => {
    const ours = decodeIssued(await issueMdoc((CASES[name] as () => IssueMdocOptions)()));
    const valueDigests = ours.mso.get('valueDigests') as Map<string, Map<number, Uint8Array>>;
    for (const [ns, items] of ours.namespaces) {
      const digests = valueDigests.get(ns) as Map<number, Uint8Array>;
      expect(digests.size).toBe(items.length);
      const ids = items.map(({ item }) => item.get('digestID') as number);
      expect(new Set(ids).size).toBe(ids.length);
      for (const { bytes, item } of items) {
        // IssuerSignedItemBytes = #6.24(bstr .cbor IssuerSignedItem): d8 18, the bstr head, the item.
        const head =
          bytes.length < 24
            ? [0x40 + bytes.length]
            : bytes.length < 256
              ? [0x58, bytes.length]
              : [0x59, bytes.length >> 8, bytes.length & 0xff];
        const itemBytes = Buffer.concat([Buffer.from([0xd8, 0x18, ...head]), bytes]);
        const expected = createHash('sha256').update(itemBytes).digest();
        expect(Buffer.from(digests.get(item.get('digestID') as number) as Uint8Array)).toEqual(expected);
      }
    }
    const sigStructure = new Encoder({ tagUint8Array: false, useRecords: false }).encode([
      'Signature1',
      ours.protectedBytes,
      Buffer.alloc(0),
      ours.payload,
    ]);
    const key = createPublicKey({ key: chain.signer.publicJwk as JsonWebKey, format: 'jwk' });
    expect(verify('sha256', sigStructure, { key, dsaEncoding: 'ieee-p1363' }, ours.signature)).toBe(true);
  });
});

it('encodes a secp256k1 holder key with its COSE curve (8, RFC 8812 §3.1), which @owf/mdoc left out', async () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const options = {
    ...(CASES['an mDL with every mandatory element and a status reference'] as () => IssueMdocOptions)(),
    holderJwk: publicKey.export({ format: 'jwk' }) as JWK,
  };
  const deviceKey = (
    decodeIssued(await issueMdoc(options)).mso.get('deviceKeyInfo') as Map<string, Map<number, unknown>>
  ).get('deviceKey');
  expect(deviceKey?.get(1)).toBe(2);
  expect(deviceKey?.get(-1)).toBe(8);
});
