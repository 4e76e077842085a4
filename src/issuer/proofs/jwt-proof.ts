import {
  decodeProtectedHeader,
  errors,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import { assertPublicJwk, hasPrivateMembers, resolveDidUrlToJwk } from '../../credentials/did/index.js';
import { ProtocolError } from '../../platform/errors.js';

export const PROOF_TYP = 'openid4vci-proof+jwt';
/** Tolerated clock skew for a proof `iat` in the future, seconds. */
const FUTURE_SKEW = 30;

export interface JwtProofOptions {
  /** The Credential Issuer Identifier: the only acceptable `aud` (Appendix F.1). */
  audience: string;
  /** Signing algorithms accepted (asymmetric only; the advertised `proof_signing_alg_values_supported`). */
  algorithms: readonly string[];
  /** How old `iat` may be, seconds. */
  maxAgeSeconds: number;
  /** Seconds since the epoch (tests). */
  now?: number;
}

export interface VerifiedJwtProof {
  /** The proven key: the credential will be bound to it (`cnf.jwk`). */
  holderJwk: JWK;
  /** The c_nonce the proof carries; the caller consumes it once every proof checks out. */
  nonce: string;
}

function invalidProof(description: string): ProtocolError {
  return new ProtocolError(400, 'invalid_proof', description);
}

/** Key parameters of Appendix F.1; exactly one may be present (each "MUST NOT be present if" another is). */
const KEY_PARAMETERS = ['jwk', 'kid', 'x5c', 'trust_chain'] as const;

/** The curve each accepted algorithm requires, so a key is never used with a foreign algorithm. */
const CURVE_OF: Record<string, { kty: string; crv: string }> = {
  ES256: { kty: 'EC', crv: 'P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
};

function holderKey(header: ProtectedHeaderParameters): JWK {
  const present = KEY_PARAMETERS.filter((name) => header[name] !== undefined);
  if (present.length !== 1) throw invalidProof('proof header must carry exactly one of jwk and kid');
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
  if (typeof header.kid === 'string' && header.kid.startsWith('did:')) {
    try {
      return resolveDidUrlToJwk(header.kid);
    } catch {
      throw invalidProof('proof kid is not a resolvable did:jwk or did:key');
    }
  }
  throw invalidProof('proof key must be given as jwk or as a did:jwk/did:key kid');
}

/**
 * Checks one `openid4vci-proof+jwt` key proof (OpenID4VCI 1.0 §8.2.1.1, Appendix F.1) and returns
 * the key it proves possession of and its nonce. Every failure is `invalid_proof`; nonce validity
 * (`invalid_nonce`) is for the caller, who consumes the nonce.
 */
export async function verifyJwtProof(jwt: string, options: JwtProofOptions): Promise<VerifiedJwtProof> {
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw invalidProof('proof is not a JWS');
  }
  if (jwt.split('.').length !== 3) throw invalidProof('proof is not a compact JWS');
  // Exact match: a KB-JWT, ID token or access token must not pass as a key proof.
  if (header.typ !== PROOF_TYP) throw invalidProof(`proof typ must be ${PROOF_TYP}`);
  const alg = header.alg;
  if (typeof alg !== 'string' || !options.algorithms.includes(alg))
    throw invalidProof('proof alg not supported');
  if (header.crit !== undefined)
    throw invalidProof('proof has critical header parameters we do not understand');

  const jwk = holderKey(header);
  const expected = CURVE_OF[alg];
  if (!expected || jwk.kty !== expected.kty || jwk.crv !== expected.crv) {
    throw invalidProof('proof key does not match its alg');
  }
  const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) };

  const now = options.now ?? Math.floor(Date.now() / 1000);
  let payload: JWTPayload;
  try {
    const key = await importJWK(publicJwk, alg);
    ({ payload } = await jwtVerify(jwt, key, {
      algorithms: [alg],
      audience: options.audience,
      requiredClaims: ['iat'],
      currentDate: new Date(now * 1000),
    }));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed)
      throw invalidProof('proof signature is invalid');
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') {
      throw invalidProof('proof aud must be the credential issuer');
    }
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'iat') {
      throw invalidProof('proof iat is missing or invalid');
    }
    if (error instanceof errors.JWTExpired) throw invalidProof('proof has expired');
    throw invalidProof('proof is invalid');
  }
  const iat = payload.iat as number;
  if (iat > now + FUTURE_SKEW) throw invalidProof('proof iat is in the future');
  if (now - iat > options.maxAgeSeconds) throw invalidProof('proof is too old');
  // §8.3.1.2 (3): a proof without c_nonce is invalid_proof; a wrong c_nonce is invalid_nonce.
  if (typeof payload.nonce !== 'string' || payload.nonce.length === 0)
    throw invalidProof('proof has no nonce');
  return { holderJwk: publicJwk, nonce: payload.nonce };
}
