import { deflateSync, inflateSync } from 'node:zlib';
import { CredentialVerificationError } from '../errors.js';
import type { TokenStatusReference } from './reference.js';

/** draft-ietf-oauth-status-list §5.1: the `typ` of a Status List Token (and its media type, with `application/`). */
export const STATUS_LIST_JWT_TYP = 'statuslist+jwt';
export const STATUS_LIST_JWT_MEDIA_TYPE = 'application/statuslist+jwt';
/** §7.1: 0x00 VALID, 0x01 INVALID, 0x02 SUSPENDED. */
export const TOKEN_STATUS = { valid: 0, invalid: 1, suspended: 2 } as const;
/** Far above any list we serve (131,072 entries × 8 bits = 128 KiB): bounds what a stranger's list may inflate to. */
const MAX_LIST_BYTES = 16 * 1024 * 1024;

export interface SetEntry {
  idx: number;
  status: number;
}

/**
 * §4.1 `lst`: `bits` per entry, entry i at bit offset i·bits counted from the least significant bit
 * of byte 0, ZLIB/DEFLATE-compressed, base64url without padding. (Written here rather than with
 * @sd-jwt/jwt-status-list's StatusList, which builds the list bit string by bit string: ~80× slower
 * at 131,072 entries, docs/decisions.md.)
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
 * The status of one entry of a `status_list` claim (§4.1), inflated with a bound. Throws
 * CredentialVerificationError when the list is malformed or the index is outside it.
 */
export function tokenStatusAt(list: { bits?: unknown; lst?: unknown }, idx: number): number {
  const { bits, lst } = list;
  if (bits !== 1 && bits !== 2 && bits !== 4 && bits !== 8) {
    throw new CredentialVerificationError('status list malformed');
  }
  if (typeof lst !== 'string' || !/^[A-Za-z0-9_-]*$/.test(lst)) {
    throw new CredentialVerificationError('status list malformed');
  }
  let bytes: Buffer;
  try {
    bytes = inflateSync(Buffer.from(lst, 'base64url'), { maxOutputLength: MAX_LIST_BYTES });
  } catch {
    throw new CredentialVerificationError('status list invalid');
  }
  const offset = idx * bits;
  const byte = bytes[offset >> 3];
  if (!Number.isInteger(idx) || idx < 0 || byte === undefined) {
    throw new CredentialVerificationError('status index out of range');
  }
  return (byte >> (offset & 7)) & ((1 << bits) - 1);
}

/** The `status` claim an SD-JWT VC (or an MSO) carries for a reference (§6.1). */
export function tokenStatusClaim(reference: TokenStatusReference): {
  status_list: { idx: number; uri: string };
} {
  return { status_list: { idx: reference.idx, uri: reference.uri } };
}

/** Reads a `status` claim: the reference, none when absent, CredentialVerificationError when malformed. */
export function readTokenStatusClaim(status: unknown): TokenStatusReference[] {
  if (status === undefined) return [];
  const entry = (status as { status_list?: { idx?: unknown; uri?: unknown } } | null)?.status_list;
  if (entry === undefined) return [];
  if (
    typeof entry !== 'object' ||
    entry === null ||
    typeof entry.idx !== 'number' ||
    typeof entry.uri !== 'string'
  ) {
    throw new CredentialVerificationError('status reference malformed');
  }
  return [{ kind: 'token-status-list', idx: entry.idx, uri: entry.uri }];
}
