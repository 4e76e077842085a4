import {
  CoseKey,
  DeviceKey,
  DeviceKeyInfo,
  Header,
  IssuerAuth,
  IssuerNamespaces,
  IssuerSigned,
  IssuerSignedItem,
  MobileSecurityObject,
  ProtectedHeaders,
  SignatureAlgorithm,
  UnprotectedHeaders,
  ValidityInfo,
  ValueDigests,
} from '@owf/mdoc';
import type { JWK } from 'jose';
import type { SigningKey } from '../../../platform/keys/index.js';
import { assertPublicJwk } from '../../did/index.js';
import { mdocContext } from './context.js';
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

/** Random digest ids, unique within a namespace (§9.1.2.5: ids must not reveal element order). */
function digestIds(count: number, random: (n: number) => Uint8Array): number[] {
  const ids = new Set<number>();
  while (ids.size < count) {
    const b = random(4);
    ids.add(
      (((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number)) >>>
        0,
    );
  }
  return [...ids];
}

/**
 * An ISO/IEC 18013-5 IssuerSigned (§8.3.2.1.2.2), encoded for OpenID4VCI (Appendix A.2: base64url
 * without padding), built from @owf/mdoc's structures: each element gets a random 32-byte salt and
 * a random digest id, the MSO carries the value digests (SHA-256), validity, the holder's device
 * key and, when given, the status reference; its COSE_Sign1 is signed through our key interface.
 * (@owf/mdoc's own `Issuer` builder does the same minus the status member, which its MSO model lacks.)
 */
export async function issueMdoc(options: IssueMdocOptions): Promise<string> {
  if (options.signer.alg !== 'ES256') throw new Error('issueMdoc: the document signer must be ES256');
  if (options.certificates.length === 0)
    throw new Error('issueMdoc: the document-signer certificate is required');
  if (options.docType === MDL_DOCTYPE) {
    const missing = missingMdlElements(options.namespaces[MDL_NAMESPACE]);
    if (missing.length > 0) throw new Error(`issueMdoc: mDL lacks mandatory elements: ${missing.join(', ')}`);
  }
  const ctx = mdocContext(options.signer);
  const holder = assertPublicJwk(options.holderJwk);
  const deviceKey = DeviceKey.fromJwk({
    kty: holder.kty,
    crv: holder.crv,
    x: holder.x,
    ...(holder.y ? { y: holder.y } : {}),
  });

  const namespaces = new Map<string, IssuerSignedItem[]>();
  const digests = new Map<string, Map<number, Uint8Array>>();
  for (const [namespace, elements] of Object.entries(options.namespaces)) {
    const entries = Object.entries(elements);
    const ids = digestIds(entries.length, ctx.crypto.random);
    const items = entries.map(([identifier, value], i) =>
      IssuerSignedItem.fromOptions({
        digestId: ids[i] as number,
        random: ctx.crypto.random(32),
        elementIdentifier: identifier,
        elementValue: toElementValue(identifier, value),
      }),
    );
    const namespaceDigests = new Map<number, Uint8Array>();
    for (const item of items) {
      namespaceDigests.set(
        item.digestId,
        await ctx.crypto.digest({ digestAlgorithm: 'SHA-256', bytes: item.encode({ asDataItem: true }) }),
      );
    }
    namespaces.set(namespace, items);
    digests.set(namespace, namespaceDigests);
  }

  const mso = MobileSecurityObject.create({
    digestAlgorithm: 'SHA-256',
    docType: options.docType,
    valueDigests: ValueDigests.create({ digests }),
    validityInfo: ValidityInfo.create({
      signed: options.signed ?? new Date(),
      validFrom: options.validFrom,
      validUntil: options.validUntil,
    }),
    deviceKeyInfo: DeviceKeyInfo.create({ deviceKey }),
  });
  if (options.status) {
    (mso.decodedStructure as unknown as { set(key: string, value: unknown): void }).set(
      'status',
      msoStatus(options.status),
    );
  }
  const signingKey = CoseKey.fromJwk({
    kty: 'EC',
    crv: 'P-256',
    x: options.signer.publicJwk.x,
    y: options.signer.publicJwk.y,
  });
  const issuerAuth = await IssuerAuth.create(
    {
      payload: mso,
      protectedHeaders: ProtectedHeaders.create({
        protectedHeaders: new Map([[Header.Algorithm, SignatureAlgorithm.ES256]]),
      }),
      unprotectedHeaders: UnprotectedHeaders.create({
        unprotectedHeaders: new Map([
          [
            Header.X5Chain,
            options.certificates.length === 1 ? options.certificates[0] : options.certificates,
          ],
        ]),
      }),
      signingKey,
      algorithm: SignatureAlgorithm.ES256,
    },
    ctx,
  );
  return IssuerSigned.create({
    issuerNamespaces: IssuerNamespaces.create({ issuerNamespaces: namespaces }),
    issuerAuth,
  }).encodedForOid4Vci;
}
