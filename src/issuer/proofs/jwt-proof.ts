import {
  decodeJwt,
  decodeProtectedHeader,
  type JWK,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { assertPublicJwk, hasPrivateMembers, resolveDidUrlToJwk } from '../../credentials/did/index.js';
import { ProtocolError } from '../../platform/errors.js';
import { parseCompactJwt } from '../compact-jwt.js';
import { type KeyAttestationTrust, verifyKeyAttestation } from './key-attestation.js';
import { CURVE_OF, secp256k1DidKey, verifyJwsSignature, x5cLeafKey } from './signature.js';

export const PROOF_TYP = 'openid4vci-proof+jwt';
/** Tolerated clock skew for a proof `iat` in the future, seconds. */
const FUTURE_SKEW = 30;

export interface JwtProofOptions {
  /** Credential Issuer Identifiers accepted as `aud` (Appendix F.1): ours, and our draft-13 view's. */
  audience: string | readonly string[];
  /** Signing algorithms accepted (asymmetric only; the advertised `proof_signing_alg_values_supported`). */
  algorithms: readonly string[];
  /** How old `iat` may be, seconds. */
  maxAgeSeconds: number;
  /** `di_vp` proofs are refused (HAIP mode: their suites include EdDSA; HAIP 1.0 §4.5 names jwt and attestation). */
  refuseDiVp?: boolean;
  /** Signing algorithms of key attestations (HAIP mode: ES256); default every supported one. */
  attestationAlgorithms?: readonly string[];
  /** Trusted key attesters, for a `key_attestation` header (Appendix D). */
  attesters?: KeyAttestationTrust;
  /** Seconds since the epoch (tests). */
  now?: number;
}

export interface VerifiedJwtProof {
  /** The proven key: the credential will be bound to it (`cnf.jwk`). */
  holderJwk: JWK;
  /** The c_nonce the proof carries; the caller consumes it once every proof checks out. */
  nonce: string;
}

export function invalidProof(description: string): ProtocolError {
  return new ProtocolError(400, 'invalid_proof', description);
}

/** Key parameters of Appendix F.1; exactly one may be present (each "MUST NOT be present if" another is). */
const KEY_PARAMETERS = ['jwk', 'kid', 'x5c', 'trust_chain'] as const;

function holderKey(header: ProtectedHeaderParameters, now: number): JWK {
  const present = KEY_PARAMETERS.filter((name) => header[name] !== undefined);
  if (present.length !== 1) throw invalidProof('proof header must carry exactly one of jwk, kid and x5c');
  if (header.jwk !== undefined) {
    if (typeof header.jwk !== 'object' || header.jwk === null)
      throw invalidProof('proof jwk is not an object');
    // Appendix F.1: the header key must not contain a private key.
    if (hasPrivateMembers(header.jwk as Record<string, unknown>))
      throw invalidProof('proof jwk contains a private key');
    try {
      return assertPublicJwk(header.jwk);
    } catch {
      throw invalidProof('proof jwk is not a supported public key');
    }
  }
  if (header.x5c !== undefined) {
    try {
      return x5cLeafKey(header.x5c, new Date(now * 1000));
    } catch {
      throw invalidProof('proof x5c is not a valid certificate chain');
    }
  }
  if (typeof header.kid === 'string' && header.kid.startsWith('did:')) {
    try {
      return resolveDidUrlToJwk(header.kid);
    } catch {
      const secp = (() => {
        try {
          return secp256k1DidKey(header.kid as string);
        } catch {
          return undefined;
        }
      })();
      if (secp) return secp;
      throw invalidProof('proof kid is not a resolvable did:jwk or did:key');
    }
  }
  throw invalidProof('proof key must be given as jwk, x5c or a did:jwk/did:key kid');
}

/**
 * Checks one `openid4vci-proof+jwt` key proof (OpenID4VCI 1.0 §8.2.1.1, Appendix F.1) and returns
 * the key it proves possession of and its nonce. Every failure is `invalid_proof`; nonce validity
 * (`invalid_nonce`) is for the caller, who consumes the nonce.
 */
export async function verifyJwtProof(jwt: string, options: JwtProofOptions): Promise<VerifiedJwtProof> {
  let header: ProtectedHeaderParameters;
  let payload: JWTPayload;
  // The common case decoded once, as jose decodes it (compact-jwt.ts); what that parse refuses (bad
  // UTF-8, other serialisations) is still decoded, or refused, by jose.
  const parsed = parseCompactJwt(jwt);
  if (parsed) {
    header = parsed.header as ProtectedHeaderParameters;
    payload = parsed.payload;
  } else {
    try {
      header = decodeProtectedHeader(jwt);
      payload = decodeJwt(jwt);
    } catch {
      throw invalidProof('proof is not a JWS');
    }
  }
  // A parse that succeeded split it into three parts already.
  if (!parsed && jwt.split('.').length !== 3) throw invalidProof('proof is not a compact JWS');
  // Exact match: a KB-JWT, ID token or access token must not pass as a key proof.
  if (header.typ !== PROOF_TYP) throw invalidProof(`proof typ must be ${PROOF_TYP}`);
  const alg = header.alg;
  if (typeof alg !== 'string' || !options.algorithms.includes(alg))
    throw invalidProof('proof alg not supported');
  if (header.crit !== undefined)
    throw invalidProof('proof has critical header parameters we do not understand');

  const now = options.now ?? Math.floor(Date.now() / 1000);
  const jwk = holderKey(header, now);
  const expected = CURVE_OF[alg];
  if (!expected || jwk.kty !== expected.kty || jwk.crv !== expected.crv) {
    throw invalidProof('proof key does not match its alg');
  }
  const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) };
  if (!(await verifyJwsSignature(jwt, publicJwk, alg))) throw invalidProof('proof signature is invalid');

  const audiences = typeof options.audience === 'string' ? [options.audience] : options.audience;
  const aud = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  if (!aud.some((a) => audiences.includes(a))) throw invalidProof('proof aud must be the credential issuer');
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat))
    throw invalidProof('proof iat is missing or invalid');
  if (payload.iat > now + FUTURE_SKEW) throw invalidProof('proof iat is in the future');
  if (now - payload.iat > options.maxAgeSeconds) throw invalidProof('proof is too old');
  if (typeof payload.exp === 'number' && payload.exp <= now) throw invalidProof('proof has expired');
  // §8.3.1.2 (3): a proof without c_nonce is invalid_proof; a wrong c_nonce is invalid_nonce.
  if (typeof payload.nonce !== 'string' || payload.nonce.length === 0)
    throw invalidProof('proof has no nonce');

  // Appendix D: a key attestation in the header vouches for the proof key.
  if (header.key_attestation !== undefined) {
    if (!options.attesters) throw invalidProof('key attestations are not accepted');
    const attested = await verifyKeyAttestation(
      String(header.key_attestation),
      options.attesters,
      now,
      options.attestationAlgorithms,
    );
    if (!attested.keys.some((k) => k.x === publicJwk.x && k.y === publicJwk.y))
      throw invalidProof('the proof key is not among the attested keys');
  }
  return { holderJwk: publicJwk, nonce: payload.nonce };
}
