import type { JWK } from 'jose';
import { ProtocolError } from '../../platform/errors.js';
import { verifyDiVpProof } from './di-vp.js';
import { invalidProof, type JwtProofOptions, verifyJwtProof } from './jwt-proof.js';
import { verifyKeyAttestation } from './key-attestation.js';

export { PROOF_TYP, verifyJwtProof } from './jwt-proof.js';
export type { KeyAttestationTrust } from './key-attestation.js';

/** The proofs of a Credential Request, 1.0 (`proofs`) and draft 13 (`proof`) shapes alike. */
export interface ProofsInput {
  jwt?: string[];
  attestation?: string[];
  di_vp?: unknown[];
}

export interface ProvenKeys {
  keys: JWK[];
  nonces: string[];
}

/**
 * Verifies the key proofs of one request (OpenID4VCI 1.0 §8.2, Appendix F): `jwt` or `di_vp`
 * proofs (one key each), or one `attestation` proof whose attested keys each get a credential. Each credential of a
 * batch is bound to its own key, so a key proven twice is refused.
 */
export async function verifyProofs(input: ProofsInput, options: JwtProofOptions): Promise<ProvenKeys> {
  const types = (['jwt', 'attestation', 'di_vp'] as const).filter((t) => input[t] !== undefined);
  if (types.length === 0) throw invalidProof('proofs is required');
  if (types.length > 1)
    throw new ProtocolError(400, 'invalid_credential_request', 'proofs must use one proof type');
  const keys: JWK[] = [];
  const nonces: string[] = [];
  if (input.jwt) {
    for (const jwt of input.jwt) {
      const proof = await verifyJwtProof(jwt, options);
      keys.push(proof.holderJwk);
      nonces.push(proof.nonce);
    }
  } else if (input.attestation) {
    if (!options.attesters) throw invalidProof('attestation proofs are not accepted');
    if (input.attestation.length !== 1) throw invalidProof('exactly one attestation proof is allowed');
    const now = options.now ?? Math.floor(Date.now() / 1000);
    const attestation = await verifyKeyAttestation(
      input.attestation[0] as string,
      options.attesters,
      now,
      options.attestationAlgorithms,
    );
    // Appendix F.3: used as a proof, the attestation carries the c_nonce.
    if (!attestation.nonce) throw invalidProof('attestation proof has no nonce');
    keys.push(...attestation.keys);
    nonces.push(attestation.nonce);
  } else {
    if (options.refuseDiVp) throw invalidProof('di_vp proofs are not accepted (HAIP)');
    const audiences = typeof options.audience === 'string' ? [options.audience] : options.audience;
    for (const presentation of input.di_vp ?? []) {
      const proof = await verifyDiVpProof(presentation, audiences);
      keys.push(proof.holderJwk);
      nonces.push(proof.nonce);
    }
  }
  const distinct = new Set(keys.map((k) => `${k.crv}:${k.x}:${k.y ?? ''}`));
  if (distinct.size !== keys.length) throw invalidProof('each proof must be for a different key');
  return { keys, nonces };
}
