import {
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
} from '@peculiar/x509';
import type { JWK } from 'jose';
import { MDL_DS_EKU } from './certificate.js';
import { keyInterfaceCrypto } from './crypto-provider.js';

const DAY = 86_400_000;

/** Why an imported chain is refused: one sentence an operator can act on. */
export class ChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainError';
  }
}

/**
 * What a leaf certificate is for, and so what it must allow:
 * - `document-signer`: an mdoc DS (ISO/IEC 18013-5 Annex B.1.4): digitalSignature, the EKU
 *   1.0.18013.5.1.2, and a chain ending at the IACA root verifiers trust (B.1.2);
 * - `issuer-signer`: an SD-JWT VC issuer certificate for `x5c` (HAIP; SD-JWT VC "X.509
 *   Certificates"): digitalSignature and the issuer URL as a uniformResourceIdentifier SAN (or its
 *   host as a dNSName SAN);
 * - `iaca`: an mdoc IACA root itself: CA, keyCertSign.
 */
export type ChainUse = 'document-signer' | 'issuer-signer' | 'iaca';

export interface ChainCheck {
  use: ChainUse;
  /** The public key the leaf must certify (the key the chain is imported for). */
  publicJwk: JWK;
  /** The credential issuer identifier, for `issuer-signer`. */
  issuerUrl?: string;
  now?: Date;
}

function nameOf(certificate: X509Certificate, index: number): string {
  return `certificate ${index + 1} (${certificate.subject || 'no subject'})`;
}

function keyUsages(certificate: X509Certificate): KeyUsageFlags | undefined {
  return certificate.getExtension(KeyUsagesExtension)?.usages;
}

function checkValidity(chain: X509Certificate[], now: Date): void {
  chain.forEach((certificate, i) => {
    if (certificate.notBefore > now) {
      throw new ChainError(
        `${nameOf(certificate, i)} is not valid before ${certificate.notBefore.toISOString()}`,
      );
    }
    if (certificate.notAfter < now) {
      throw new ChainError(`${nameOf(certificate, i)} expired on ${certificate.notAfter.toISOString()}`);
    }
  });
}

async function checkLinks(chain: X509Certificate[]): Promise<void> {
  for (let i = 0; i + 1 < chain.length; i++) {
    const child = chain[i] as X509Certificate;
    const parent = chain[i + 1] as X509Certificate;
    const signed = await child.verify(
      { publicKey: parent.publicKey, signatureOnly: true },
      keyInterfaceCrypto,
    );
    if (child.issuer !== parent.subject || !signed) {
      throw new ChainError(
        `the chain does not link: ${nameOf(child, i)} is not issued by ${nameOf(parent, i + 1)} (its issuer is ${child.issuer})`,
      );
    }
    const constraints = parent.getExtension(BasicConstraintsExtension);
    if (!constraints?.ca)
      throw new ChainError(`${nameOf(parent, i + 1)} is not a CA (basicConstraints cA is not set)`);
    const usages = keyUsages(parent);
    if (usages !== undefined && !(usages & KeyUsageFlags.keyCertSign)) {
      throw new ChainError(`${nameOf(parent, i + 1)} may not sign certificates (no keyCertSign key usage)`);
    }
  }
}

async function checkLeafKey(leaf: X509Certificate, expected: JWK): Promise<void> {
  const key = await leaf.publicKey.export(keyInterfaceCrypto);
  const jwk = (await keyInterfaceCrypto.subtle.exportKey('jwk', key)) as JWK;
  const same =
    jwk.kty === expected.kty && jwk.crv === expected.crv && jwk.x === expected.x && jwk.y === expected.y;
  if (!same) {
    throw new ChainError(
      `the leaf certificate (${leaf.subject}) certifies another key than this one (${expected.kid ?? 'the key'}): was the CSR made for it?`,
    );
  }
}

function checkUse(chain: X509Certificate[], check: ChainCheck): void {
  const leaf = chain[0] as X509Certificate;
  const usages = keyUsages(leaf);
  if (check.use === 'iaca') {
    if (!leaf.getExtension(BasicConstraintsExtension)?.ca)
      throw new ChainError('an IACA certificate must be a CA');
    if (usages === undefined || !(usages & KeyUsageFlags.keyCertSign))
      throw new ChainError('an IACA certificate needs the keyCertSign key usage (ISO/IEC 18013-5 B.1.2)');
    return;
  }
  if (leaf.getExtension(BasicConstraintsExtension)?.ca)
    throw new ChainError('the leaf certificate is a CA certificate');
  if (usages === undefined || !(usages & KeyUsageFlags.digitalSignature)) {
    throw new ChainError('the leaf certificate lacks the digitalSignature key usage');
  }
  if (check.use === 'document-signer') {
    const eku = leaf.getExtension(ExtendedKeyUsageExtension)?.usages ?? [];
    if (!eku.includes(MDL_DS_EKU)) {
      throw new ChainError(
        `the leaf certificate lacks the mdoc document-signer extended key usage ${MDL_DS_EKU} (ISO/IEC 18013-5 B.1.4)`,
      );
    }
    const root = chain[chain.length - 1] as X509Certificate;
    if (root.subject !== root.issuer) {
      throw new ChainError(
        'the chain must end at the IACA root certificate (self-signed), which verifiers trust',
      );
    }
    return;
  }
  // issuer-signer: the SAN names the issuer (SD-JWT VC: `iss` matches a URI SAN; HAIP: a dNSName SAN).
  if (!check.issuerUrl) return;
  const names = leaf.getExtension(SubjectAlternativeNameExtension)?.names.items ?? [];
  const host = new URL(check.issuerUrl).hostname;
  const named = names.some(
    (n) => (n.type === 'url' && n.value === check.issuerUrl) || (n.type === 'dns' && n.value === host),
  );
  if (!named) {
    throw new ChainError(
      `the leaf certificate's subjectAltName does not name the issuer ${check.issuerUrl} (URI) or ${host} (DNS)`,
    );
  }
}

/**
 * Checks a CA-issued chain (leaf first) before it is attached to a key, refusing it with the
 * reason: unreadable, leaf for another key, links that do not verify, a parent that is no CA,
 * wrong key usage or EKU for the use, or a certificate outside its validity.
 */
export async function validateChain(
  ders: readonly Uint8Array[],
  check: ChainCheck,
): Promise<X509Certificate[]> {
  if (!ders.length) throw new ChainError('no certificate given');
  const chain = ders.map((der, i) => {
    try {
      return new X509Certificate(Buffer.from(der));
    } catch {
      throw new ChainError(`certificate ${i + 1} is not an X.509 certificate`);
    }
  });
  await checkLeafKey(chain[0] as X509Certificate, check.publicJwk);
  await checkLinks(chain);
  checkUse(chain, check);
  checkValidity(chain, check.now ?? new Date());
  return chain;
}

/** The end of a certificate and its distance, for listings, readiness and warnings. */
export interface CertificateExpiry {
  subject: string;
  notAfter: Date;
  daysLeft: number;
}

export function certificateExpiry(der: Uint8Array, now = new Date()): CertificateExpiry {
  const certificate = new X509Certificate(Buffer.from(der));
  return {
    subject: certificate.subject,
    notAfter: certificate.notAfter,
    daysLeft: Math.floor((certificate.notAfter.getTime() - now.getTime()) / DAY),
  };
}

/** One line for `attesta keys list`: whose certificate, until when. */
export function certificateSummary(der: Uint8Array, now = new Date()): string {
  const { subject, notAfter, daysLeft } = certificateExpiry(der, now);
  return `certificate "${subject}" until ${notAfter.toISOString()} (${daysLeft < 0 ? 'EXPIRED' : `${daysLeft} days`})`;
}
