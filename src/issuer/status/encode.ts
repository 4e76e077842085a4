import { deflateSync, gzipSync } from 'node:zlib';

export interface SetEntry {
  idx: number;
  status: number;
}

/**
 * IETF Token Status List §4.1: `bits` per entry, entry i at bit offset i*bits counted from the
 * least significant bit of byte 0, ZLIB/DEFLATE-compressed, base64url without padding.
 */
export function encodeTokenStatusList(size: number, bits: number, entries: Iterable<SetEntry>): string {
  const bytes = Buffer.alloc(Math.ceil((size * bits) / 8));
  for (const { idx, status } of entries) {
    const offset = idx * bits;
    const byte = offset >> 3;
    bytes[byte] = (bytes[byte] as number) | ((status & ((1 << bits) - 1)) << (offset & 7));
  }
  return deflateSync(bytes, { level: 9 }).toString('base64url');
}

/**
 * W3C Bitstring Status List §4.1 (encodedList): bit i counted from the most significant bit of
 * byte 0, GZIP-compressed, multibase base64url (`u` prefix, no padding).
 */
export function encodeBitstringStatusList(size: number, entries: Iterable<SetEntry>): string {
  const bytes = Buffer.alloc(Math.ceil(size / 8));
  for (const { idx, status } of entries) {
    if (status) bytes[idx >> 3] = (bytes[idx >> 3] as number) | (0x80 >> (idx & 7));
  }
  return `u${gzipSync(bytes, { level: 9 }).toString('base64url')}`;
}
