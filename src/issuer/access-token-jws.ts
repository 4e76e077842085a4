import { verify as cryptoVerify, type KeyObject, KeyObject as NodeKeyObject } from 'node:crypto';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { decodeBase64url, type ParsedJwt } from './compact-jwt.js';

/**
 * The access token's ES256 / EdDSA signature checked with node:crypto instead of jose's WebCrypto
 * path (docs/decisions.md, issue 14 item 7): every credential request verifies one, and jose's
 * `jwtVerify` cost 163 µs of CPU per token here against 93 µs on this path (bench/token-verify.ts).
 * The keys still come from jose's key sets (remote JWKS with its cache and cooldown, or the
 * issuer's own): the CryptoKey it selects is turned into a KeyObject once. The claims checks
 * are jose's, restated for RFC 9068 access tokens; test/issuer/access-token-jws.test.ts compares
 * every verdict and message with the jose path on the same tokens. Any other algorithm, and any
 * token with a `crit` header, takes jose's path.
 */

/** R || S of 32 bytes each (RFC 7518 §3.4), an Ed25519 signature of 64 (RFC 8037 §3.1). */
const DIRECT: Record<string, { digest: string | null; signatureLength: number; kty: string }> = {
  ES256: { digest: 'sha256', signatureLength: 64, kty: 'EC' },
  EdDSA: { digest: null, signatureLength: 64, kty: 'OKP' },
  Ed25519: { digest: null, signatureLength: 64, kty: 'OKP' },
};

/** Whether this token can take the direct path (else jose's `jwtVerify` decides). */
export function takesDirectPath(jwt: ParsedJwt): boolean {
  return (
    typeof jwt.header.alg === 'string' &&
    Object.hasOwn(DIRECT, jwt.header.alg) &&
    jwt.header.crit === undefined
  );
}

/** Raised with the same descriptions the jose path gives (access-token.ts `describe`). */
export class TokenRefused extends Error {}

const keyObjects = new WeakMap<object, KeyObject>();

function keyObjectOf(key: unknown): KeyObject {
  if (key instanceof NodeKeyObject) return key;
  let keyObject = keyObjects.get(key as object);
  if (!keyObject) {
    keyObject = NodeKeyObject.from(key as CryptoKey);
    keyObjects.set(key as object, keyObject);
  }
  return keyObject;
}

const kinds = new WeakMap<KeyObject, string>();

/**
 * `EC` for a P-256 key, `OKP` for an Ed25519 key, '' for any other: the alg's key type is checked
 * against it. Kept per KeyObject, since `asymmetricKeyDetails` builds a new object on every read.
 */
function kindOf(keyObject: KeyObject): string {
  let kind = kinds.get(keyObject);
  if (kind === undefined) {
    kind =
      keyObject.asymmetricKeyType === 'ec' && keyObject.asymmetricKeyDetails?.namedCurve === 'prime256v1'
        ? 'EC'
        : keyObject.asymmetricKeyType === 'ed25519'
          ? 'OKP'
          : '';
    kinds.set(keyObject, kind);
  }
  return kind;
}

/** jose's `typ` comparison (RFC 7515 §4.1.9: `application/` may be left out; case-insensitive). */
const normalizeTyp = (typ: string) => {
  const lower = typ.toLowerCase();
  return typ.includes('/') ? lower : `application/${lower}`;
};

export interface DirectChecks {
  issuer: string;
  audience: string;
  /** Epoch seconds. */
  now: number;
}

/**
 * Verifies a token on the direct path: the key jose's key set selects (its errors are the caller's
 * to describe), the signature, then — in jose's order, with jose's outcome for each — the header
 * `typ` and the claims the jose path asks for (`issuer`, `audience`, `typ: at+jwt`, `requiredClaims:
 * exp, sub`; no clock tolerance).
 */
export async function verifyDirect(
  jwt: ParsedJwt,
  keys: JWTVerifyGetKey,
  checks: DirectChecks,
): Promise<JWTPayload> {
  const { header, payload } = jwt;
  const direct = DIRECT[header.alg as string] as (typeof DIRECT)[string];
  const key = await keys(header, {
    payload: jwt.encodedPayload,
    signature: jwt.signature,
  });
  const keyObject = keyObjectOf(key);
  if (kindOf(keyObject) !== direct.kty) throw new TokenRefused('access token is invalid');
  let signature: Uint8Array;
  try {
    signature = decodeBase64url(jwt.signature);
  } catch {
    throw new TokenRefused('access token is invalid');
  }
  const valid =
    signature.length === direct.signatureLength &&
    cryptoVerify(
      direct.digest,
      Buffer.from(jwt.signingInput),
      { key: keyObject, dsaEncoding: 'ieee-p1363' },
      signature,
    );
  if (!valid) throw new TokenRefused('access token signature is invalid');
  if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== normalizeTyp('at+jwt'))
    throw new TokenRefused('access token typ must be at+jwt');
  // Presence in jose's order (iss, aud, sub, exp); a missing aud reads as the wrong audience.
  for (const claim of ['iss', 'aud', 'sub', 'exp'] as const) {
    if (!Object.hasOwn(payload, claim))
      throw new TokenRefused(
        claim === 'aud'
          ? 'access token audience is not this issuer'
          : `access token lacks the ${claim} claim`,
      );
  }
  if (payload.iss !== checks.issuer) throw new TokenRefused('access token iss claim is invalid');
  const aud = payload.aud as unknown;
  const audienceFits =
    typeof aud === 'string' ? aud === checks.audience : Array.isArray(aud) && aud.includes(checks.audience);
  if (!audienceFits) throw new TokenRefused('access token audience is not this issuer');
  for (const claim of ['iat', 'nbf', 'exp'] as const) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'number')
      throw new TokenRefused(`access token ${claim} claim is invalid`);
    if (claim === 'nbf' && payload.nbf !== undefined && payload.nbf > checks.now)
      throw new TokenRefused('access token nbf claim is invalid');
  }
  if ((payload.exp as number) <= checks.now) throw new TokenRefused('access token expired');
  return payload;
}
