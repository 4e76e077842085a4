import { base64url, type CompactJWSHeaderParameters, type JWTPayload } from 'jose';

/**
 * A compact JWT's parts decoded as jose decodes them, for the checks done on node:crypto (the access
 * token, access-token-jws.ts; DPoP proofs, dpop/verify.ts): whatever this refuses goes to jose's path.
 */
export interface ParsedJwt {
  header: CompactJWSHeaderParameters;
  payload: JWTPayload;
  signingInput: string;
  /** The encoded payload and signature, as jose's key sets receive the token. */
  encodedPayload: string;
  signature: string;
}

// Fatal on bad UTF-8 as jose's claims decoder is; anything this parse refuses goes to jose's path.
const strict = new TextDecoder('utf-8', { fatal: true });
const decodeJson = (part: string): unknown => JSON.parse(strict.decode(base64url.decode(part)));
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A compact JWT's parts, decoded as jose decodes them; undefined when it is not a JWT. */
export function parseCompactJwt(token: string): ParsedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const decodedHeader = decodeJson(header);
    const decodedPayload = decodeJson(payload);
    if (!isObject(decodedHeader) || !isObject(decodedPayload)) return undefined;
    return {
      header: decodedHeader as CompactJWSHeaderParameters,
      payload: decodedPayload as JWTPayload,
      signingInput: `${header}.${payload}`,
      encodedPayload: payload,
      signature,
    };
  } catch {
    return undefined;
  }
}
