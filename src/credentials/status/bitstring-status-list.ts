import { gunzipSync } from 'node:zlib';
import { onFirstUse } from '../../platform/on-first-use.js';
import { CredentialVerificationError } from '../errors.js';
import type { BitstringStatusReference } from './reference.js';

/**
 * The library's index loads @digitalbazaar/vc and with it jsonld (several MB of memory): imported with
 * the first list encoded or read, not when a service starts (docs/decisions.md).
 */
const library = onFirstUse(() => import('@digitalbazaar/vc-bitstring-status-list'));

/** Far above any list we serve (131,072 entries = 16 KiB): bounds what a stranger's list may inflate to. */
const MAX_LIST_BYTES = 16 * 1024 * 1024;
/** Entries of one credential that are checked (we write one or two: revocation, optionally suspension). */
const MAX_ENTRIES = 4;

export interface BitstringSetEntry {
  idx: number;
  status: number;
}

/**
 * VC Bitstring Status List §2.2 `encodedList`: bit i counted from the most significant bit of byte
 * 0, GZIP-compressed, multibase base64url (`u` prefix), by @digitalbazaar/vc-bitstring-status-list.
 */
export async function encodeBitstringStatusList(
  size: number,
  entries: Iterable<BitstringSetEntry>,
): Promise<string> {
  const { BitstringStatusList } = await library();
  const list = new BitstringStatusList({ length: size });
  for (const { idx, status } of entries) if (status) list.setStatus(idx, true);
  return list.encode();
}

/**
 * Whether bit `index` of an `encodedList` is set. The library's own decoder inflates without a
 * bound, so the list is inflated here with one and handed to it. Throws CredentialVerificationError.
 */
export async function bitstringStatusAt(encodedList: unknown, index: number): Promise<boolean> {
  if (typeof encodedList !== 'string' || !/^u[A-Za-z0-9_-]*$/.test(encodedList)) {
    throw new CredentialVerificationError('status list not multibase base64url');
  }
  let bytes: Buffer;
  try {
    bytes = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'), { maxOutputLength: MAX_LIST_BYTES });
  } catch {
    throw new CredentialVerificationError('status list invalid');
  }
  if (!Number.isInteger(index) || index < 0 || index >= bytes.length * 8) {
    throw new CredentialVerificationError('status index out of range');
  }
  const { BitstringStatusList } = await library();
  // A copy that owns its memory: the library reads `buffer.buffer`, which for a pooled Buffer is larger.
  return new BitstringStatusList({ buffer: new Uint8Array(bytes) }).getStatus(index);
}

/** The `credentialStatus` entries (BitstringStatusListEntry, §2.1) a credential carries for its references. */
export function bitstringStatusEntries(
  references: (Omit<BitstringStatusReference, 'kind' | 'statusPurpose'> & { statusPurpose: string })[],
): Record<string, unknown>[] {
  return references.map((entry) => ({
    id: entry.id ?? `${entry.statusListCredential}#${entry.statusListIndex}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: entry.statusPurpose,
    statusListIndex: entry.statusListIndex,
    statusListCredential: entry.statusListCredential,
  }));
}

/** The entries of a `credentialStatus` (one entry or an array) that are checked: at most four. */
export function credentialStatusEntries(credentialStatus: unknown): unknown[] {
  const raw = Array.isArray(credentialStatus) ? credentialStatus : credentialStatus ? [credentialStatus] : [];
  return raw.slice(0, MAX_ENTRIES);
}

/**
 * One entry of `credentialStatus` as a reference. An entry of another type or without a list URL
 * is refused (CredentialVerificationError), as the checker cannot vouch for it.
 */
export function readBitstringStatusEntry(value: unknown): BitstringStatusReference {
  const entry = value as Record<string, unknown> | null;
  if (entry?.type !== 'BitstringStatusListEntry' || typeof entry.statusListCredential !== 'string') {
    throw new CredentialVerificationError('status entry not supported');
  }
  return {
    kind: 'bitstring-status-list',
    ...(typeof entry.id === 'string' ? { id: entry.id } : {}),
    statusPurpose: entry.statusPurpose === 'suspension' ? 'suspension' : 'revocation',
    statusListIndex: String(entry.statusListIndex),
    statusListCredential: entry.statusListCredential,
  };
}
