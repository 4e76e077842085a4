/**
 * An IETF Token Status List reference (draft-ietf-oauth-status-list §6.1: `status.status_list`
 * `{idx, uri}`), carried by SD-JWT VCs and, in the MSO, by mdocs.
 */
export interface TokenStatusReference {
  kind: 'token-status-list';
  idx: number;
  /** URI of the status list token. */
  uri: string;
}

/** A W3C Bitstring Status List entry (VC Bitstring Status List §2.1), one per purpose. */
export interface BitstringStatusReference {
  kind: 'bitstring-status-list';
  /** `id` of the BitstringStatusListEntry (e.g. `<list url>#<index>`); derived when absent. */
  id?: string;
  statusPurpose: 'revocation' | 'suspension';
  /** Decimal string, as the data model requires. */
  statusListIndex: string;
  /** URL of the BitstringStatusListCredential. */
  statusListCredential: string;
}

export type StatusReference = TokenStatusReference | BitstringStatusReference;
