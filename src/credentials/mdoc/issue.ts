import { CoseKey, DeviceKey, Issuer, SignatureAlgorithm } from '@owf/mdoc';
import type { JWK } from 'jose';
import type { SigningKey } from '../../platform/keys/index.js';
import { assertPublicJwk } from '../did/index.js';
import { mdocContext } from './context.js';
import { MDL_DOCTYPE, MDL_NAMESPACE, missingMdlElements, toElementValue } from './mdl.js';

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
}

/**
 * An ISO/IEC 18013-5 IssuerSigned (§8.3.2.1.2.2), encoded for OpenID4VCI (Appendix A.2: base64url
 * without padding). @owf/mdoc builds it; its COSE_Sign1 is signed through our key interface. Each
 * element gets a random 32-byte salt and a random digest id (§9.1.2.5), so equal values do not
 * give equal digests across credentials.
 */
export async function issueMdoc(options: IssueMdocOptions): Promise<string> {
  if (options.signer.alg !== 'ES256') throw new Error('issueMdoc: the document signer must be ES256');
  if (options.docType === MDL_DOCTYPE) {
    const missing = missingMdlElements(options.namespaces[MDL_NAMESPACE]);
    if (missing.length > 0) throw new Error(`issueMdoc: mDL lacks mandatory elements: ${missing.join(', ')}`);
  }
  const holder = assertPublicJwk(options.holderJwk);
  const deviceKey = DeviceKey.fromJwk({
    kty: holder.kty,
    crv: holder.crv,
    x: holder.x,
    ...(holder.y ? { y: holder.y } : {}),
  });
  const signingKey = CoseKey.fromJwk({
    ...options.signer.publicJwk,
    alg: undefined,
    use: undefined,
    kid: undefined,
  });
  const issuer = new Issuer(options.docType, mdocContext(options.signer));
  for (const [namespace, elements] of Object.entries(options.namespaces)) {
    issuer.addIssuerNamespace(
      namespace,
      Object.fromEntries(Object.entries(elements).map(([id, value]) => [id, toElementValue(id, value)])),
    );
  }
  const issuerSigned = await issuer.sign({
    signingKey,
    algorithm: SignatureAlgorithm.ES256,
    digestAlgorithm: 'SHA-256',
    validityInfo: {
      signed: options.signed ?? new Date(),
      validFrom: options.validFrom,
      validUntil: options.validUntil,
    },
    deviceKeyInfo: { deviceKey },
    certificates: options.certificates,
  });
  return issuerSigned.encodedForOid4Vci;
}
