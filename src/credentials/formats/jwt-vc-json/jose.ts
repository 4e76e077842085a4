import { CredentialVerificationError } from '../../errors.js';
import { w3cIssuerOf } from '../../w3c/verified.js';
import { VC_JWT_TYP } from '../vc-jwt/id.js';

/**
 * What the two JOSE-secured W3C formats share before any signature is checked: their shape, the
 * `typ` that tells them apart (VC-JOSE-COSE §3.1.1 `vc+jwt` for VCDM 2.0; a VCDM 1.1 JWT has
 * `JWT` or none), and the issuer they name.
 */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_LENGTH = 256 * 1024;

function decodePart(part: string | undefined): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return value as Record<string, unknown>;
}

/** Whether the credential is a compact JWS whose `typ` is (`vc+jwt`) or is not (VCDM 1.1) VC-JOSE-COSE's. */
export function isJoseW3c(credential: unknown, vcJwt: boolean): boolean {
  if (typeof credential !== 'string' || credential.length > MAX_LENGTH) return false;
  const text = credential.trim();
  if (!COMPACT_JWS.test(text)) return false;
  try {
    return (decodePart(text.split('.')[0]).typ === VC_JWT_TYP) === vcJwt;
  } catch {
    // Not JSON: still a JWS shape, which the VCDM 1.1 verifier refuses with its reason.
    return !vcJwt;
  }
}

/** The issuer a JOSE-secured W3C credential names: `vc.issuer` or `issuer`, else the DID of its `kid`. */
export function claimedJoseIssuer(credential: unknown): string | undefined {
  try {
    if (String(credential).length > MAX_LENGTH) throw new Error('too large');
    const [header, payload] = String(credential).split('.');
    const claims = decodePart(payload);
    const kid = decodePart(header).kid;
    return (
      w3cIssuerOf((claims.vc as Record<string, unknown> | undefined) ?? claims) ??
      (typeof kid === 'string' ? kid.split('#')[0] : undefined)
    );
  } catch {
    throw new CredentialVerificationError('malformed credential');
  }
}
