import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as ecdsaRdfc2019 } from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import {
  createSignCryptosuite as jcsSignSuite,
  createVerifyCryptosuite as jcsVerifySuite,
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import type { SigningKey } from '../../platform/keys/index.js';
import type { ProofSuite } from './suite-names.js';

/**
 * Bounds on RDF Dataset Canonicalization (RDFC-1.0 §4.4 "poison graphs"): a crafted credential
 * with many blank nodes can make canonicalisation exponential. `maxWorkFactor` 1 allows n¹ deep
 * iterations for n non-unique blank nodes (rdf-canonize's safe default made explicit), and the
 * signal aborts a run that still takes too long. jsonld's `safe` mode (lossy expansion is an error)
 * is on in every suite.
 */
export interface CanonizeBounds {
  maxWorkFactor: number;
  timeoutMs: number;
}
export const DEFAULT_CANONIZE_BOUNDS: CanonizeBounds = { maxWorkFactor: 1, timeoutMs: 2000 };

function canonizeOptions(bounds: CanonizeBounds): Record<string, unknown> {
  return { safe: true, maxWorkFactor: bounds.maxWorkFactor, signal: AbortSignal.timeout(bounds.timeoutMs) };
}

/** A cryptosuite whose canonize carries the bounds (a fresh timeout for every call). */
function bounded(suite: DataIntegrityCryptosuite, bounds: CanonizeBounds): DataIntegrityCryptosuite {
  if (suite.name === 'eddsa-jcs-2022') return suite; // JCS (RFC 8785) is linear: nothing to bound
  return {
    ...suite,
    canonize: (input, options) => suite.canonize(input, { ...options, ...canonizeOptions(bounds) }),
  };
}

/** eddsa-jcs-2022 has distinct sign and verify cryptosuites (the proof `@context` step differs). */
const JCS_SIGN = jcsSignSuite();
const JCS_VERIFY = jcsVerifySuite();

function cryptosuite(suite: Exclude<ProofSuite, 'Ed25519Signature2020'>, signing: boolean) {
  if (suite === 'eddsa-jcs-2022') return signing ? JCS_SIGN : JCS_VERIFY;
  return suite === 'eddsa-rdfc-2022' ? eddsaRdfc2022 : ecdsaRdfc2019;
}

/**
 * The `signer` the Digital Bazaar suites call, over our key interface: the private key never leaves
 * the KeyStore / HSM. ES256 signatures come as raw r‖s, which ecdsa-rdfc-2019 expects (§3.3.5).
 */
export function dataIntegritySigner(key: SigningKey, verificationMethod: string): DataIntegritySigner {
  return {
    id: verificationMethod,
    algorithm: key.alg === 'ES256' ? 'P-256' : 'Ed25519',
    sign: ({ data }) => key.sign(data),
  };
}

/** A suite object for signing (with a signer) or verifying (without one). */
export function createSuite(
  suite: ProofSuite,
  options: { signer?: DataIntegritySigner; date?: Date; bounds?: CanonizeBounds } = {},
): unknown {
  const bounds = options.bounds ?? DEFAULT_CANONIZE_BOUNDS;
  if (suite === 'Ed25519Signature2020') {
    return new Ed25519Signature2020({
      ...(options.signer ? { signer: options.signer } : {}),
      ...(options.date ? { date: options.date } : {}),
      canonizeOptions: canonizeOptions(bounds),
    });
  }
  return new DataIntegrityProof({
    cryptosuite: bounded(cryptosuite(suite, options.signer !== undefined), bounds),
    ...(options.signer ? { signer: options.signer } : {}),
    ...(options.date ? { date: options.date } : {}),
  });
}
