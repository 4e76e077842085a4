import { DataItem, DeviceResponse, parse, Verifier } from '@auth0/mdl';
import { encode } from 'cbor-x';
import type { JWK } from 'jose';
import { PLACEHOLDER_PORTRAIT } from '../../../../src/credentials/formats/mso-mdoc/mdl.js';
import { LocalSigningKey } from '../../../../src/platform/keys/index.js';
import { createCertificate, derToPem } from '../../../../src/platform/keys/x509/index.js';

export const ISSUER_URL = 'https://issuer.example';

/**
 * An mDL of 12 elements as the demo driving licence renders it: the mandatory elements of
 * ISO/IEC 18013-5 §7.2.1 (the placeholder portrait among them) and `age_over_18`.
 */
export const DRIVING_LICENCE_ELEMENTS = {
  family_name: 'Okafor',
  given_name: 'Amara',
  birth_date: '1970-03-13',
  issue_date: '2026-12-07',
  expiry_date: '2031-12-06',
  issuing_country: 'XA',
  issuing_authority: 'Attesta Driving Authority',
  document_number: 'DL-5102030400',
  portrait: PLACEHOLDER_PORTRAIT,
  driving_privileges: [{ vehicle_category_code: 'B', issue_date: '2020-01-01', expiry_date: '2030-01-01' }],
  un_distinguishing_sign: 'XA',
  age_over_18: true,
};

/** An IACA root and a document-signer certificate issued by it. */
export async function certificateChain(now = new Date()) {
  const root = await LocalSigningKey.generate('ES256');
  const signer = await LocalSigningKey.generate('ES256');
  const rootDn = { country: 'XA', organization: 'Attesta', commonName: 'Attesta test IACA' };
  const iaca = await createCertificate({
    subject: rootDn,
    subjectJwk: root.publicJwk,
    issuer: rootDn,
    issuerJwk: root.publicJwk,
    issuerKey: root,
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + 10 * 365 * 86_400_000),
    profile: 'iaca',
    issuerUrl: ISSUER_URL,
  });
  const ds = await createCertificate({
    subject: { country: 'XA', organization: 'Attesta', commonName: 'Attesta test document signer' },
    subjectJwk: signer.publicJwk,
    issuer: rootDn,
    issuerJwk: root.publicJwk,
    issuerKey: root,
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + 365 * 86_400_000),
    profile: 'document-signer',
    issuerUrl: ISSUER_URL,
  });
  return { root, signer, iaca, ds };
}

/** CBOR head (major type + length), for splicing already-encoded bytes into a structure. */
function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 256) return Buffer.from([(major << 5) | 24, length]);
  return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
}

/**
 * Independent verification with @auth0/mdl (we sign with @owf/mdoc): the IssuerSigned is wrapped,
 * byte for byte, in a DeviceResponse, presented by the holder with its device key (so the MSO's
 * deviceKey must be the proof key), and checked by @auth0/mdl's Verifier against the IACA root:
 * x5chain, issuer signature, digests, validity, device signature, issuing_country vs certificate.
 */
export async function verifyWithAuth0(
  issuerSignedB64u: string,
  options: { docType: string; namespace: string; elements: string[]; holderPrivateJwk: JWK; iacaPem: string },
) {
  const issuerSigned = Buffer.from(issuerSignedB64u, 'base64url');
  const documentBytes = Buffer.concat([
    head(5, 2),
    encode('docType'),
    encode(options.docType),
    encode('issuerSigned'),
    issuerSigned,
  ]);
  const wrapped = Buffer.concat([
    head(5, 3),
    encode('version'),
    encode('1.0'),
    encode('documents'),
    head(4, 1),
    documentBytes,
    encode('status'),
    encode(0),
  ]);
  const mdoc = parse(wrapped);
  const sessionTranscript = Buffer.from(encode(DataItem.fromData([null, null, ['attesta-test']])));
  const presentation = await DeviceResponse.from(mdoc)
    .usingPresentationDefinition({
      id: 'pd',
      input_descriptors: [
        {
          id: options.docType,
          format: { mso_mdoc: { alg: ['ES256', 'EdDSA'] } },
          constraints: {
            limit_disclosure: 'required',
            fields: options.elements.map((e) => ({
              path: [`$['${options.namespace}']['${e}']`],
              intent_to_retain: false,
            })),
          },
        },
      ],
    })
    .usingSessionTranscriptBytes(sessionTranscript)
    .authenticateWithSignature(
      options.holderPrivateJwk,
      options.holderPrivateJwk.kty === 'OKP' ? 'EdDSA' : 'ES256',
    )
    .sign();
  const verifier = new Verifier([options.iacaPem]);
  return verifier.verify(presentation.encode(), { encodedSessionTranscript: sessionTranscript });
}

export { derToPem };
