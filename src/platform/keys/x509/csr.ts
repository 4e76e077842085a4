import {
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
} from '@peculiar/x509';
import type { SigningKey } from '../signing-key.js';
import { cryptoKeyPair, keyInterfaceCrypto } from './crypto-provider.js';

export interface CsrOptions {
  /** Subject as an RFC 4514 string, e.g. `C=XA, O=Ministry of Transport, CN=Attesta document signer`. */
  subject: string;
  /** URIs for the subjectAltName (the issuer URL for an SD-JWT VC `x5c` certificate). */
  uris?: string[];
}

/**
 * A PKCS#10 certificate request (RFC 2986) for a key, signed by the key itself through the key
 * interface — in the HSM for a token key — to hand to the issuer's CA. It asks for
 * digitalSignature; the CA adds the profile's other extensions (EKU, issuer alternative name).
 */
export async function createCsr(key: SigningKey, options: CsrOptions): Promise<string> {
  const request = await Pkcs10CertificateRequestGenerator.create(
    {
      name: options.subject,
      keys: await cryptoKeyPair(key),
      signingAlgorithm: key.alg === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'Ed25519' },
      extensions: [
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        ...(options.uris?.length
          ? [
              new SubjectAlternativeNameExtension(
                options.uris.map((value) => ({ type: 'url' as const, value })),
              ),
            ]
          : []),
      ],
    },
    keyInterfaceCrypto,
  );
  return `${request.toString('pem')}\n`;
}
