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
import { assertPublicJwk } from '../../src/credentials/did/index.js';
import { mdocContext } from '../../src/credentials/formats/mso-mdoc/context.js';
import type { IssueMdocOptions } from '../../src/credentials/formats/mso-mdoc/issue.js';
import { toElementValue } from '../../src/credentials/formats/mso-mdoc/mdl.js';
import { msoStatus } from '../../src/credentials/formats/mso-mdoc/status.js';

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
 * Attesta's mso_mdoc issuance as it was until 2026-12-07 (night), on @owf/mdoc's structures, kept to
 * compare src/credentials/formats/mso-mdoc/issue.ts with (test/credentials/formats/mso-mdoc/
 * issue-vs-library.test.ts, bench/mdoc-issue.ts). An ISO/IEC 18013-5 IssuerSigned, built from @owf/mdoc's structures: each element gets a random 32-byte salt and
 * a random digest id, the MSO carries the value digests (SHA-256), validity, the holder's device
 * key and, when given, the status reference; its COSE_Sign1 is signed through our key interface.
 * (@owf/mdoc's own `Issuer` builder does the same minus the status member, which its MSO model lacks.)
 */
export async function libraryIssueMdoc(options: IssueMdocOptions): Promise<string> {
  if (options.signer.alg !== 'ES256') throw new Error('issueMdoc: the document signer must be ES256');
  if (options.certificates.length === 0)
    throw new Error('issueMdoc: the document-signer certificate is required');
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
