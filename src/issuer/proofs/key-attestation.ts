import { decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import { assertPublicJwk } from '../../credentials/did/index.js';
import { ProtocolError } from '../../platform/errors.js';
import { CURVE_OF, verifyJwsSignature } from './signature.js';

export const KEY_ATTESTATION_TYP = 'key-attestation+jwt';
const MAX_ATTESTED_KEYS = 10;

/** Attesters (wallet providers) whose key attestations we accept, by their public keys. */
export interface KeyAttestationTrust {
  keys: readonly JWK[];
}

export interface VerifiedKeyAttestation {
  keys: JWK[];
  nonce?: string;
}

const invalidProof = (description: string) => new ProtocolError(400, 'invalid_proof', description);

/**
 * A key attestation (OpenID4VCI 1.0 Appendix D.1): a `key-attestation+jwt` signed by a trusted
 * attester, listing `attested_keys` (public JWKs) with `iat` and optionally `exp` and `nonce`.
 */
export async function verifyKeyAttestation(
  jwt: string,
  trust: KeyAttestationTrust,
  now: number,
  /** Only these signing algorithms (HAIP mode: ES256); default every one of CURVE_OF. */
  algorithms?: readonly string[],
): Promise<VerifiedKeyAttestation> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let payload: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(jwt);
    payload = decodeJwt(jwt);
  } catch {
    throw invalidProof('key attestation is not a JWT');
  }
  if (header.typ !== KEY_ATTESTATION_TYP)
    throw invalidProof(`key attestation typ must be ${KEY_ATTESTATION_TYP}`);
  const alg = header.alg ?? '';
  const curve = CURVE_OF[alg];
  if (!curve || (algorithms && !algorithms.includes(alg)))
    throw invalidProof('key attestation alg not supported');
  // RFC 7515 §4.1.11: no extension we would have to understand (the signature check reads no header).
  if (header.crit !== undefined) throw invalidProof('key attestation has critical header parameters');
  const candidates = trust.keys.filter(
    (k) => k.kty === curve.kty && k.crv === curve.crv && (header.kid === undefined || k.kid === header.kid),
  );
  let trusted = false;
  for (const key of candidates) {
    if (await verifyJwsSignature(jwt, key, alg)) {
      trusted = true;
      break;
    }
  }
  if (!trusted) throw invalidProof('key attestation is not signed by a trusted attester');
  if (typeof payload.iat !== 'number' || payload.iat > now + 30)
    throw invalidProof('key attestation iat is invalid');
  if (typeof payload.exp === 'number' && payload.exp <= now)
    throw invalidProof('key attestation has expired');
  const attested = payload.attested_keys;
  if (!Array.isArray(attested) || attested.length === 0 || attested.length > MAX_ATTESTED_KEYS)
    throw invalidProof('key attestation has no attested_keys');
  const keys = attested.map((k) => {
    try {
      const jwk = assertPublicJwk(k);
      return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) } as JWK;
    } catch {
      throw invalidProof('an attested key is not a public key');
    }
  });
  return { keys, nonce: typeof payload.nonce === 'string' ? payload.nonce : undefined };
}
