import type { JWTPayload } from 'jose';
import type { SigningKey } from './signing-key.js';

const encoder = new TextEncoder();

/** base64url of the UTF-8 of a string, or of bytes (viewed, not copied). */
function b64u(data: Uint8Array | string): string {
  return (
    typeof data === 'string'
      ? Buffer.from(data, 'utf8')
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  ).toString('base64url');
}

/**
 * Compact JWS (RFC 7515 §7.1) signed through the key interface. jose cannot sign with a key it does
 * not hold, so the two-part encoding is done here; verification stays with jose.
 */
export async function signCompactJws(
  key: SigningKey,
  header: Record<string, unknown>,
  payload: JWTPayload | Record<string, unknown>,
): Promise<string> {
  const signingInput = `${b64u(JSON.stringify({ ...header, alg: key.alg, kid: header.kid ?? key.kid }))}.${b64u(JSON.stringify(payload))}`;
  const signature = await key.sign(encoder.encode(signingInput));
  return `${signingInput}.${b64u(signature)}`;
}
