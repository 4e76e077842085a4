/**
 * The Data Integrity suites by name, with the key algorithm each signs with: what configuration
 * checks and metadata need, without loading the suites themselves (suites.ts: jsonld, the
 * @digitalbazaar cryptosuites), which load with the first ldp_vc credential or di_vp proof.
 */
export type ProofSuite = 'eddsa-rdfc-2022' | 'ecdsa-rdfc-2019' | 'eddsa-jcs-2022' | 'Ed25519Signature2020';
export const PROOF_SUITES: readonly ProofSuite[] = [
  'eddsa-rdfc-2022',
  'ecdsa-rdfc-2019',
  'eddsa-jcs-2022',
  'Ed25519Signature2020',
];

/** The key algorithm each suite signs with. */
export const SUITE_ALGORITHM: Record<ProofSuite, 'EdDSA' | 'ES256'> = {
  'eddsa-rdfc-2022': 'EdDSA',
  'ecdsa-rdfc-2019': 'ES256',
  'eddsa-jcs-2022': 'EdDSA',
  Ed25519Signature2020: 'EdDSA',
};
