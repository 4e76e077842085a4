import {
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type JWK,
  type ProtectedHeaderParameters,
} from 'jose';
import { CredentialValidityError, CredentialVerificationError, type FailedCheck } from '../../errors.js';
import { applyDisclosures, type DisclosedClaim } from './disclosures.js';
import { isSupportedSdAlg } from './hash.js';
import { SD_JWT_VC, SD_JWT_VC_LEGACY } from './id.js';

/** Asymmetric JWS algorithms only: never `none`, never HMAC. */
const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'RS256'];
/** Clock skew tolerated on `iat`, `nbf` and `exp`, seconds. */
const SKEW = 30;

export interface VerifySdJwtVcOptions {
  /** The issuer's public keys (e.g. from its /.well-known/jwt-vc-issuer). */
  issuerJwks: { keys: JWK[] };
  /** When given, `iss` must equal it. */
  expectedIssuer?: string;
  /** The time to check against: a Date or seconds since the epoch (default: now). */
  now?: Date | number;
}

export interface VerifiedSdJwtVc {
  header: ProtectedHeaderParameters;
  /** The signed payload as issued (digests, `_sd_alg`, `cnf`…). */
  payload: Record<string, unknown>;
  /** The payload with every presented disclosure applied and digests removed. */
  claims: Record<string, unknown>;
  disclosures: DisclosedClaim[];
}

function fail(reason: string, check?: FailedCheck): never {
  throw new CredentialVerificationError(reason, check);
}

function seconds(now: Date | number | undefined): number {
  if (now === undefined) return Math.floor(Date.now() / 1000);
  return typeof now === 'number' ? now : Math.floor(now.getTime() / 1000);
}

const jwksSets = new WeakMap<object, ReturnType<typeof createLocalJWKSet>>();

/** One local key set per JWKS object, so repeated verification reuses jose's imported keys. */
function keySet(jwks: { keys: JWK[] }) {
  let set = jwksSets.get(jwks);
  if (!set) {
    set = createLocalJWKSet(jwks);
    jwksSets.set(jwks, set);
  }
  return set;
}

/**
 * Verifies an SD-JWT VC as issued (`<jwt>~<disclosure>~…~`, no key binding JWT): the issuer's
 * signature (key chosen by `kid`), `typ`, `iss`, `vct`, validity times, and the disclosures
 * (RFC 9901 §7.1). Throws CredentialVerificationError with a short reason.
 */
export async function verifySdJwtVc(
  credential: string,
  options: VerifySdJwtVcOptions,
): Promise<VerifiedSdJwtVc> {
  if (typeof credential !== 'string' || credential.length > 256 * 1024) fail('not an SD-JWT');
  const parts = credential.split('~');
  const jwt = parts[0] ?? '';
  if (parts.length < 2) fail('not an SD-JWT (no ~ separator)');
  if (parts.at(-1) !== '') fail('key binding JWT not expected');
  const disclosures = parts.slice(1, -1);

  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    fail('malformed issuer JWT');
  }
  if (header.typ !== SD_JWT_VC && header.typ !== SD_JWT_VC_LEGACY) fail('wrong typ');

  let rawPayload: Uint8Array;
  try {
    ({ payload: rawPayload } = await compactVerify(jwt, keySet(options.issuerJwks), {
      algorithms: ALGORITHMS,
    }));
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) fail('no issuer key matches');
    if (error instanceof errors.JOSEAlgNotAllowed) fail('algorithm not allowed');
    if (error instanceof errors.JWSSignatureVerificationFailed) fail('signature invalid');
    fail('issuer JWT invalid');
  }
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(new TextDecoder().decode(rawPayload));
  } catch {
    fail('payload is not JSON');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    fail('payload is not an object');

  if (typeof payload.iss !== 'string') fail('iss missing');
  if (options.expectedIssuer !== undefined && payload.iss !== options.expectedIssuer)
    fail('unexpected issuer', 'issuer');
  if (typeof payload.vct !== 'string') fail('vct missing');
  const now = seconds(options.now);
  for (const claim of ['iat', 'nbf', 'exp'] as const) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'number') fail(`${claim} is not a number`);
  }
  const start = payload.nbf ?? payload.iat;
  const untimely = (reason: string): never => {
    throw new CredentialValidityError(reason, typeof start === 'number' ? new Date(start * 1000) : undefined);
  };
  if (typeof payload.iat === 'number' && payload.iat > now + SKEW) untimely('issued in the future');
  if (typeof payload.nbf === 'number' && payload.nbf > now + SKEW) untimely('not yet valid');
  if (typeof payload.exp === 'number' && payload.exp <= now - SKEW) untimely('expired');
  if (payload.cnf !== undefined && (typeof payload.cnf !== 'object' || payload.cnf === null))
    fail('cnf malformed');

  const sdAlg = payload._sd_alg ?? 'sha-256';
  if (typeof sdAlg !== 'string' || !isSupportedSdAlg(sdAlg)) fail('unsupported _sd_alg');
  const applied = applyDisclosures(payload, disclosures, sdAlg);
  return { header, payload, ...applied };
}
