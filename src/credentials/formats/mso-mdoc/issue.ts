import { createHash } from 'node:crypto';
import { Encoder, Tag } from 'cbor-x';
import type { JWK } from 'jose';
import type { SigningKey } from '../../../platform/keys/index.js';
import { pooledRandomBytes } from '../../../platform/random.js';
import { assertPublicJwk } from '../../did/index.js';
import { MDL_DOCTYPE, MDL_NAMESPACE, missingMdlElements, toElementValue } from './mdl.js';
import { msoStatus } from './status.js';

export interface IssueMdocOptions {
  docType: string;
  /** Namespace → element identifier → value (template output; dates as `YYYY-MM-DD`). */
  namespaces: Record<string, Record<string, unknown>>;
  /** The document signer key (ES256), whose certificate is `certificates[0]`. */
  signer: SigningKey;
  /** x5chain: the document-signer certificate (DER), optionally followed by intermediates. */
  certificates: Uint8Array[];
  /** The holder's proof key, bound as the MSO deviceKey (a COSE_Key, RFC 9052 §7). */
  holderJwk: JWK;
  validFrom: Date;
  validUntil: Date;
  signed?: Date;
  /**
   * IETF Token Status List reference, put in the MSO as `status: {status_list: {idx, uri}}`
   * (draft-ietf-oauth-status-list §6.3, as ISO/IEC 18013-5 2nd edition adopts it).
   */
  status?: { idx: number; uri: string };
}

/**
 * CBOR as ISO/IEC 18013-5 wants it: maps as maps (in the order built), byte strings untagged, no
 * record extension. One encoder for the process: building one costs more than a small encoding.
 */
const cbor = new Encoder({
  tagUint8Array: false,
  useRecords: false,
  mapsAsObjects: false,
  variableMapSize: true,
});
const encode = (value: unknown): Buffer => cbor.encode(value);

/** #6.24(bstr .cbor X) — an embedded CBOR data item (RFC 8949 §3.4.5.1), as 18013-5 wraps items and the MSO. */
const embedded = (bytes: Uint8Array) => new Tag(bytes, 24);
/** tdate (RFC 8949 §3.4.1), without fractional seconds (18013-5 §9.1.2.4). */
const tdate = (date: Date) => new Tag(`${date.toISOString().slice(0, 19)}Z`, 0);

/** COSE key types and curves (RFC 9053 §7; secp256k1: RFC 8812 §3.1). */
const COSE_KEY: Record<string, { kty: number; crv: number }> = {
  'EC/P-256': { kty: 2, crv: 1 },
  'EC/P-384': { kty: 2, crv: 2 },
  'EC/P-521': { kty: 2, crv: 3 },
  'EC/secp256k1': { kty: 2, crv: 8 },
  'OKP/Ed25519': { kty: 1, crv: 6 },
};

/** The holder's key as a COSE_Key (RFC 9052 §7: 1 kty, -1 crv, -2 x, -3 y). */
function coseKey(jwk: JWK): Map<number, number | Buffer> {
  const holder = assertPublicJwk(jwk);
  const type = COSE_KEY[`${holder.kty}/${holder.crv}`];
  if (!type || !holder.x) throw new Error(`issueMdoc: no COSE key for ${holder.kty} ${holder.crv}`);
  const key = new Map<number, number | Buffer>([
    [1, type.kty],
    [-1, type.crv],
    [-2, Buffer.from(holder.x, 'base64url')],
  ]);
  if (type.kty === 2) {
    if (!holder.y) throw new Error('issueMdoc: an EC holder key needs y');
    key.set(-3, Buffer.from(holder.y, 'base64url'));
  }
  return key;
}

/** Random digest ids, unique within a namespace (§9.1.2.5: ids must not reveal element order). */
function digestIds(count: number): number[] {
  const ids = new Set<number>();
  while (ids.size < count) ids.add(pooledRandomBytes(4).readUInt32BE(0));
  return [...ids];
}

/** COSE_Sign1 protected header {1 (alg): -7 (ES256)} (RFC 9052 §3.1, RFC 9053 §2.1), encoded once. */
const PROTECTED_ES256 = encode(new Map([[1, -7]]));
/** x5chain (RFC 9360 §2): one certificate as a bstr, several as an array. */
const X5CHAIN = 33;

/**
 * An ISO/IEC 18013-5 IssuerSigned (§8.3.2.1.2.2), encoded for OpenID4VCI (Appendix A.2: base64url
 * without padding), encoded here with cbor-x: each IssuerSignedItem (§9.1.2.5) gets a random 32-byte
 * salt and a random digest id, and its digest is SHA-256 over its IssuerSignedItemBytes (#6.24); the
 * MobileSecurityObject (§9.1.2.4) carries the value digests, the holder's device key, the validity
 * and, when given, the status reference; the IssuerAuth is a COSE_Sign1 (RFC 9052 §4.2) over
 * #6.24(MSO) with the x5chain unprotected, signed through our key interface (HSM keys unchanged).
 * @owf/mdoc built the same structures until 2026-12-07 at about ten times the CPU (its validation of
 * every structure, an encoder per call): test/credentials/formats/mso-mdoc/issue-vs-library.test.ts
 * compares the two, and @owf/mdoc and @auth0/mdl verify what this writes (mdoc.test.ts).
 */
export async function issueMdoc(options: IssueMdocOptions): Promise<string> {
  if (options.signer.alg !== 'ES256') throw new Error('issueMdoc: the document signer must be ES256');
  if (options.certificates.length === 0)
    throw new Error('issueMdoc: the document-signer certificate is required');
  if (options.docType === MDL_DOCTYPE) {
    const missing = missingMdlElements(options.namespaces[MDL_NAMESPACE]);
    if (missing.length > 0) throw new Error(`issueMdoc: mDL lacks mandatory elements: ${missing.join(', ')}`);
  }
  const deviceKey = coseKey(options.holderJwk);

  const nameSpaces = new Map<string, Tag[]>();
  const valueDigests = new Map<string, Map<number, Buffer>>();
  for (const [namespace, elements] of Object.entries(options.namespaces)) {
    const entries = Object.entries(elements);
    const ids = digestIds(entries.length);
    const items: Tag[] = [];
    const digests = new Map<number, Buffer>();
    entries.forEach(([identifier, value], i) => {
      const item = embedded(
        encode(
          new Map<string, unknown>([
            ['digestID', ids[i]],
            ['random', pooledRandomBytes(32)],
            ['elementIdentifier', identifier],
            ['elementValue', toElementValue(identifier, value)],
          ]),
        ),
      );
      items.push(item);
      digests.set(ids[i] as number, createHash('sha256').update(encode(item)).digest());
    });
    nameSpaces.set(namespace, items);
    valueDigests.set(namespace, digests);
  }

  const mso = new Map<string, unknown>([
    ['version', '1.0'],
    ['digestAlgorithm', 'SHA-256'],
    ['valueDigests', valueDigests],
    ['deviceKeyInfo', new Map([['deviceKey', deviceKey]])],
    ['docType', options.docType],
    [
      'validityInfo',
      new Map([
        ['signed', tdate(options.signed ?? new Date())],
        ['validFrom', tdate(options.validFrom)],
        ['validUntil', tdate(options.validUntil)],
      ]),
    ],
  ]);
  if (options.status) mso.set('status', msoStatus(options.status));
  const payload = encode(embedded(encode(mso)));
  // Sig_structure (RFC 9052 §4.4): ["Signature1", protected, external_aad (empty), payload].
  const toBeSigned = encode(['Signature1', PROTECTED_ES256, Buffer.alloc(0), payload]);
  const signature = await options.signer.sign(toBeSigned);
  const x5chain = options.certificates.length === 1 ? options.certificates[0] : options.certificates;
  const issuerAuth = [PROTECTED_ES256, new Map([[X5CHAIN, x5chain]]), payload, signature];
  return encode(
    new Map<string, unknown>([
      ['nameSpaces', nameSpaces],
      ['issuerAuth', issuerAuth],
    ]),
  ).toString('base64url');
}
