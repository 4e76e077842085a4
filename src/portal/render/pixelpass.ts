import { deflateSync, inflateSync } from 'node:zlib';
import { decode as cborDecode, encode as cborEncode } from 'cbor-x';
import { base45Decode, base45Encode } from './base45.js';

/** Largest inflated payload accepted when decoding (a QR code holds under 3 KB compressed). */
const MAX_INFLATED = 256 * 1024;

/**
 * Credential data for a QR code, as MOSIP's PixelPass does it: JSON is CBOR-encoded, anything else
 * (a compact SD-JWT, a JWT) kept as UTF-8; then zlib (deflate, level 9) and base45 (RFC 9285).
 */
export function pixelPassEncode(data: string): string {
  let bytes: Uint8Array;
  try {
    const json: unknown = JSON.parse(data);
    bytes = typeof json === 'object' && json !== null ? cborEncode(json) : Buffer.from(data, 'utf8');
  } catch {
    bytes = Buffer.from(data, 'utf8');
  }
  return base45Encode(deflateSync(bytes, { level: 9 }));
}

/** The inverse: text back (JSON re-serialized when it was CBOR). Throws on anything malformed. */
export function pixelPassDecode(text: string): string {
  const inflated = inflateSync(base45Decode(text.trim()), { maxOutputLength: MAX_INFLATED });
  const first = inflated[0] ?? 0;
  // CBOR map or array (major types 5 and 4): PixelPass's JSON form.
  if ((first >= 0xa0 && first <= 0xbf) || (first >= 0x80 && first <= 0x9f)) {
    return JSON.stringify(cborDecode(inflated));
  }
  return inflated.toString('utf8');
}
