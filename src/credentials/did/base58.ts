import { decode, encode } from 'base58-universal';

/** The Bitcoin base58 alphabet (the `z` multibase of did:key and Multikey). */
const BASE58BTC = /^[1-9A-HJ-NP-Za-km-z]+$/;

/**
 * Decodes Bitcoin-alphabet base58 with Digital Bazaar's base58-universal, bounded (a did:key or a
 * proof value is far shorter) and strict (the library skips whitespace; a DID has none). Throws
 * on a foreign character.
 */
export function base58btcDecode(text: string): Uint8Array {
  if (text.length === 0 || text.length > 200) throw new Error('base58: bad length');
  if (!BASE58BTC.test(text)) throw new Error('base58: invalid character');
  const bytes = decode(text);
  if (!bytes) throw new Error('base58: invalid character');
  return bytes;
}

/** Encodes bytes as Bitcoin-alphabet base58 (without the `z` multibase prefix). */
export function base58btcEncode(bytes: Uint8Array): string {
  return encode(bytes);
}
