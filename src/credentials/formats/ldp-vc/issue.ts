import * as vc from '@digitalbazaar/vc';
import type { SigningKey } from '../../../platform/keys/index.js';
import { type ProofSuite, SUITE_ALGORITHM } from '../../data-integrity/suite-names.js';
import { type CanonizeBounds, createSuite, dataIntegritySigner } from '../../data-integrity/suites.js';
import { type DocumentLoader, findLoaderError } from '../../jsonld/document-loader.js';

export interface IssueLdpVcOptions {
  /** The unsigned credential (VCDM 2.0 or 1.1), with `issuer` set. */
  credential: Record<string, unknown>;
  suite: ProofSuite;
  key: SigningKey;
  /** DID URL of the key (e.g. `did:web:issuer.example#<kid>`), resolvable by verifiers. */
  verificationMethod: string;
  documentLoader: DocumentLoader;
  /** Proof `created` (default now). Fixed in tests to reproduce test vectors. */
  created?: Date;
  bounds?: CanonizeBounds;
}

/** Signs a W3C credential with a Data Integrity proof (or Ed25519Signature2020) through the key interface. */
export async function issueLdpVc(options: IssueLdpVcOptions): Promise<Record<string, unknown>> {
  if (SUITE_ALGORITHM[options.suite] !== options.key.alg) {
    throw new Error(`issueLdpVc: ${options.suite} needs an ${SUITE_ALGORITHM[options.suite]} key`);
  }
  const suite = createSuite(options.suite, {
    signer: dataIntegritySigner(options.key, options.verificationMethod),
    ...(options.created ? { date: options.created } : {}),
    ...(options.bounds ? { bounds: options.bounds } : {}),
  });
  let signed: Record<string, unknown>;
  try {
    signed = await vc.issue({
      credential: structuredClone(options.credential),
      suite,
      documentLoader: options.documentLoader,
      ...(options.created ? { now: options.created } : {}),
    });
  } catch (error) {
    throw findLoaderError(error) ?? error;
  }
  // Members in the order of the specifications' examples (`type`, `cryptosuite` first), so our
  // output reproduces the W3C test vectors byte for byte; JSON member order carries no meaning.
  const { type, cryptosuite, ...rest } = signed.proof as Record<string, unknown>;
  signed.proof = { type, ...(cryptosuite ? { cryptosuite } : {}), ...rest };
  return signed;
}
