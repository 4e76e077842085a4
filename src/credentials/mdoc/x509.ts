import { createHash, createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import type { JWK } from 'jose';
import type { SigningKey } from '../../platform/keys/index.js';
import {
  bitString,
  boolean,
  ecdsaRawToDer,
  explicit,
  implicitPrimitive,
  objectIdentifier,
  octetString,
  printableString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';

const ECDSA_WITH_SHA256 = sequence(objectIdentifier('1.2.840.10045.4.3.2'));
/** ISO/IEC 18013-5 Annex B: extended key usage of a mobile security object (document) signer. */
export const MDL_DS_EKU = '1.0.18013.5.1.2';

export interface DistinguishedName {
  /** ISO 3166-1 alpha-2; verifiers (e.g. @auth0/mdl) compare it with `issuing_country`. */
  country: string;
  commonName: string;
  organization?: string;
}

function name(dn: DistinguishedName): Buffer {
  const rdn = (oid: string, value: Buffer) => set(sequence(objectIdentifier(oid), value));
  return sequence(
    rdn('2.5.4.6', printableString(dn.country)),
    ...(dn.organization ? [rdn('2.5.4.10', utf8String(dn.organization))] : []),
    rdn('2.5.4.3', utf8String(dn.commonName)),
  );
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), ...(critical ? [boolean(true)] : []), octetString(value));
}

function spki(jwk: JWK): Buffer {
  return createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }).export({
    format: 'der',
    type: 'spki',
  });
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits (the last 65 bytes for P-256). */
function keyIdentifier(jwk: JWK): Buffer {
  const der = spki(jwk);
  return createHash('sha1')
    .update(der.subarray(der.length - 65))
    .digest();
}

export interface CertificateOptions {
  subject: DistinguishedName;
  subjectJwk: JWK;
  issuer: DistinguishedName;
  issuerJwk: JWK;
  /** Signs the TBSCertificate: the issuer's key, through the key interface (ES256). */
  issuerKey: SigningKey;
  notBefore: Date;
  notAfter: Date;
  /** `ca`: an IACA root (ISO 18013-5 B.1.2); `document-signer`: a DS certificate (B.1.4). */
  profile: 'ca' | 'document-signer';
  /** URL of the issuing authority, in issuerAltName (the profile requires a contact). */
  issuerUrl: string;
}

/**
 * An X.509 v3 certificate (RFC 5280) in DER, signed with ecdsa-with-SHA256 through the key
 * interface — node:crypto can parse and verify certificates but not create them, and the profile
 * needs few enough fields that a small DER writer is simpler than another dependency.
 */
export async function createCertificate(options: CertificateOptions): Promise<Buffer> {
  if (options.issuerKey.alg !== 'ES256') throw new Error('createCertificate: ES256 keys only');
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f; // positive, ≤ 20 octets (§4.1.2.2)
  const issuerAltName = extension(
    '2.5.29.18',
    false,
    sequence(implicitPrimitive(6, Buffer.from(options.issuerUrl, 'ascii'))),
  );
  const ski = extension('2.5.29.14', false, octetString(keyIdentifier(options.subjectJwk)));
  const extensions =
    options.profile === 'ca'
      ? [
          extension('2.5.29.19', true, sequence(boolean(true), smallInteger(0))), // CA, pathLen 0
          extension('2.5.29.15', true, bitString(Buffer.from([0x06]), 1)), // keyCertSign, cRLSign
          ski,
          issuerAltName,
        ]
      : [
          extension('2.5.29.35', false, sequence(implicitPrimitive(0, keyIdentifier(options.issuerJwk)))),
          ski,
          extension('2.5.29.15', true, bitString(Buffer.from([0x80]), 7)), // digitalSignature
          extension('2.5.29.37', true, sequence(objectIdentifier(MDL_DS_EKU))),
          issuerAltName,
        ];
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial),
    ECDSA_WITH_SHA256,
    name(options.issuer),
    sequence(time(options.notBefore), time(options.notAfter)),
    name(options.subject),
    spki(options.subjectJwk),
    explicit(3, sequence(...extensions)),
  );
  const signature = ecdsaRawToDer(await options.issuerKey.sign(tbs));
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  // Parse it back: a malformed certificate fails here, at creation, not at a verifier.
  new X509Certificate(der);
  return der;
}

export function derToPem(der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body}${body.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
