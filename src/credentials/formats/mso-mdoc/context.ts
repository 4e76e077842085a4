import {
  createHash,
  createPublicKey,
  verify as cryptoVerify,
  type JsonWebKey,
  X509Certificate,
} from 'node:crypto';
import { CoseKey, type MdocContext } from '@owf/mdoc';
import type { SigningKey } from '../../../platform/keys/index.js';
import { pooledRandomBytes } from '../../../platform/random.js';

const DIGESTS: Record<string, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** Values of one attribute type in a distinguished name as node prints it (`C=XA\nO=…\nCN=…`). */
function nameField(name: string, field: string): string[] {
  return name
    .split('\n')
    .map((line) => line.split('='))
    .filter(([type]) => type === field)
    .map(([, ...value]) => value.join('='));
}

function publicKeyOf(key: CoseKey) {
  return createPublicKey({ key: key.jwk as JsonWebKey, format: 'jwk' });
}

/**
 * Checks an x5chain against trusted roots: each certificate signed by the next, the last by a
 * trusted certificate, every one valid at `now`, and intermediate/root certificates CAs.
 */
function verifyChain(trusted: Uint8Array[], chain: Uint8Array[], now: Date): void {
  const certificates = chain.map((der) => new X509Certificate(der));
  const roots = trusted.map((der) => new X509Certificate(der));
  const at = now.getTime();
  for (const certificate of [...certificates, ...roots]) {
    if (Date.parse(certificate.validFrom) > at || Date.parse(certificate.validTo) < at) {
      throw new Error('certificate not valid at this time');
    }
  }
  for (let i = 0; i < certificates.length - 1; i++) {
    const [child, parent] = [certificates[i] as X509Certificate, certificates[i + 1] as X509Certificate];
    if (!parent.ca || !child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw new Error('x5chain is not a chain');
    }
  }
  const last = certificates.at(-1);
  if (!last) throw new Error('x5chain is empty');
  const anchored = roots.some(
    (root) =>
      root.ca &&
      (last.fingerprint256 === root.fingerprint256 ||
        (last.checkIssued(root) && last.verify(root.publicKey))),
  );
  if (!anchored) throw new Error('x5chain does not lead to a trusted certificate');
}

/**
 * The crypto and X.509 callbacks @owf/mdoc asks for, on node:crypto. With `signer`, COSE_Sign1
 * signatures go through our key interface (the CoseKey handed to the library is public only): the
 * private key never leaves the KeyStore/HSM. Verification uses the key the library passes.
 */
export function mdocContext(signer?: SigningKey): MdocContext {
  return {
    crypto: {
      // Element salts (ISO/IEC 18013-5 §9.1.2.5), many per credential: from the process's CSPRNG pool.
      random: (length) => new Uint8Array(pooledRandomBytes(length)),
      digest: ({ digestAlgorithm, bytes }) => {
        const alg = DIGESTS[digestAlgorithm];
        if (!alg) throw new Error(`unsupported digest ${digestAlgorithm}`);
        return new Uint8Array(createHash(alg).update(bytes).digest());
      },
      calculateEphemeralMacKey: () => {
        throw new Error('device MAC keys are the wallet’s business, not the issuer’s');
      },
    },
    cose: {
      sign1: {
        sign: async ({ toBeSigned, key }) => {
          if (!signer) throw new Error('no signer configured');
          const x = key.x ? Buffer.from(key.x).toString('base64url') : undefined;
          if (x !== signer.publicJwk.x) throw new Error('COSE key is not the signer’s');
          return signer.sign(toBeSigned);
        },
        verify: ({ key, sign1 }) =>
          cryptoVerify(
            'sha256',
            sign1.toBeSigned,
            { key: publicKeyOf(key), dsaEncoding: 'ieee-p1363' },
            sign1.signature,
          ),
      },
      mac0: {
        sign: () => {
          throw new Error('MAC not supported');
        },
        verify: () => {
          throw new Error('MAC not supported');
        },
      },
    },
    x509: {
      getIssuerNameField: ({ certificate, field }) =>
        nameField(new X509Certificate(certificate).subject, field),
      getPublicKey: ({ certificate }) =>
        CoseKey.fromJwk(
          new X509Certificate(certificate).publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
        ),
      verifyCertificateChain: ({ trustedCertificates, x5chain, now }) =>
        verifyChain(trustedCertificates, x5chain, now ?? new Date()),
      getCertificateData: ({ certificate }) => {
        const parsed = new X509Certificate(certificate);
        return {
          issuerName: parsed.issuer.replace(/\n/g, ', '),
          subjectName: parsed.subject.replace(/\n/g, ', '),
          serialNumber: parsed.serialNumber,
          thumbprint: parsed.fingerprint256.replace(/:/g, '').toLowerCase(),
          notBefore: new Date(parsed.validFrom),
          notAfter: new Date(parsed.validTo),
          pem: parsed.toString(),
        };
      },
    },
  };
}
