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

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * jose's `base64url.decode`, with the common case on node's decoder: a string of base64url characters
 * only, of a length a base64 text can have (not 1 more than a multiple of 4), decodes to the same
 * bytes either way (both ignore the unused bits of the last character); anything else (padding,
 * whitespace, `+` or `/`, other characters) is left to jose, which accepts or refuses it as before.
 * jose decodes through `atob` and a byte-by-byte copy; node in one native call (docs/decisions.md,
 * Performance; test/issuer/compact-jwt.test.ts compares them).
 */
export function decodeBase64url(text: string): Uint8Array {
  return text.length % 4 !== 1 && BASE64URL.test(text)
    ? Buffer.from(text, 'base64url')
    : base64url.decode(text);
}

// Fatal on bad UTF-8 as jose's claims decoder is; anything this parse refuses goes to jose's path.
const strict = new TextDecoder('utf-8', { fatal: true });
const decodeJson = (part: string): unknown => JSON.parse(strict.decode(decodeBase64url(part)));
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
