import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  type Extension,
  IssuerAlternativeNameExtension,
  type JsonName,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';
import type { JWK } from 'jose';
import type { SigningKey } from '../signing-key.js';
import { keyInterfaceCrypto, privateCryptoKey, publicCryptoKey } from './crypto-provider.js';

/** ISO/IEC 18013-5 Annex B.1.4: extended key usage of a mobile security object (document) signer. */
export const MDL_DS_EKU = '1.0.18013.5.1.2';

export interface DistinguishedName {
  /** ISO 3166-1 alpha-2; verifiers (e.g. @auth0/mdl) compare it with `issuing_country`. */
  country: string;
  commonName: string;
  organization?: string;
}

/** RFC 5280 §4.1.2.4 name, in @peculiar/x509's JSON form: C, O, CN. */
export function jsonName(dn: DistinguishedName): JsonName {
  return [
    { C: [dn.country] },
    ...(dn.organization ? [{ O: [dn.organization] }] : []),
    { CN: [dn.commonName] },
  ];
}

/**
 * Certificate profiles Attesta makes itself (the demo chain of the embedded start; a deployment
 * with its own CA imports CA-issued certificates instead, see chain.ts):
 * - `iaca`: an mdoc IACA root (ISO/IEC 18013-5 B.1.2): CA, pathLen 0, keyCertSign + cRLSign.
 * - `document-signer`: an mdoc DS certificate (B.1.4): digitalSignature, EKU 1.0.18013.5.1.2.
 * - `issuer-signer`: an SD-JWT VC issuer certificate for `x5c` (HAIP): digitalSignature, and the
 *   issuer URL as a SAN uniformResourceIdentifier (SD-JWT VC §3.5 matches `iss` against it).
 */
export type CertificateProfile = 'iaca' | 'document-signer' | 'issuer-signer';

export interface CertificateOptions {
  subject: DistinguishedName;
  subjectJwk: JWK;
  issuer: DistinguishedName;
  issuerJwk: JWK;
  /** Signs the TBSCertificate through the key interface (sealed or HSM key alike). */
  issuerKey: SigningKey;
  notBefore: Date;
  notAfter: Date;
  profile: CertificateProfile;
  /** URL of the issuing authority: issuerAltName (the mdoc profile wants a contact), SAN of issuer-signer. */
  issuerUrl: string;
}

async function profileExtensions(options: CertificateOptions): Promise<Extension[]> {
  const subjectKey = await publicCryptoKey(options.subjectJwk);
  const issuerKey = await publicCryptoKey(options.issuerJwk);
  const crypto = keyInterfaceCrypto;
  const ski = await SubjectKeyIdentifierExtension.create(subjectKey, false, crypto);
  const issuerAltName = new IssuerAlternativeNameExtension([{ type: 'url', value: options.issuerUrl }]);
  switch (options.profile) {
    case 'iaca':
      return [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        ski,
        issuerAltName,
      ];
    case 'document-signer':
      return [
        await AuthorityKeyIdentifierExtension.create(issuerKey, false, crypto),
        ski,
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        new ExtendedKeyUsageExtension([MDL_DS_EKU], true),
        issuerAltName,
      ];
    case 'issuer-signer':
      return [
        await AuthorityKeyIdentifierExtension.create(issuerKey, false, crypto),
        ski,
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        new SubjectAlternativeNameExtension([{ type: 'url', value: options.issuerUrl }]),
      ];
  }
}

/**
 * An X.509 v3 certificate (RFC 5280) in DER, built by @peculiar/x509 and signed through the key
 * interface (ecdsa-with-SHA256 for ES256 keys, Ed25519 for EdDSA keys).
 */
export async function createCertificate(options: CertificateOptions): Promise<Buffer> {
  const certificate = await X509CertificateGenerator.create(
    {
      subject: jsonName(options.subject),
      issuer: jsonName(options.issuer),
      publicKey: await publicCryptoKey(options.subjectJwk),
      signingKey: privateCryptoKey(options.issuerKey),
      notBefore: options.notBefore,
      notAfter: options.notAfter,
      extensions: await profileExtensions(options),
    },
    keyInterfaceCrypto,
  );
  return Buffer.from(certificate.rawData);
}
