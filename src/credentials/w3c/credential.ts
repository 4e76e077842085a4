import { UNDEFINED_TERMS_CONTEXT, VC_V1_CONTEXT, VC_V2_CONTEXT } from '../jsonld/contexts.js';
import { bitstringStatusEntries } from '../status/bitstring-status-list.js';

export type DataModel = '2.0' | '1.1';

/** A W3C Bitstring Status List entry (VC Bitstring Status List §2.1). */
export interface BitstringStatusEntry {
  id?: string;
  statusPurpose: string;
  statusListIndex: string;
  statusListCredential: string;
}

export interface W3cCredentialInput {
  dataModel: DataModel;
  /** Issuer identifier: the DID (or URL) whose keys verify the proof. */
  issuer: string;
  /** Contexts after the base context. */
  contexts?: string[];
  /** Types after `VerifiableCredential`. */
  types: string[];
  credentialSubject: Record<string, unknown>;
  /** Set as `credentialSubject.id` when the subject has none (the holder's DID). */
  subjectId?: string;
  id?: string;
  name?: string;
  description?: string;
  validFrom: Date;
  validUntil?: Date;
  status?: BitstringStatusEntry[];
  extra?: Record<string, unknown>;
}

export const STATUS_LIST_V1_CONTEXT = 'https://www.w3.org/ns/credentials/status/v1';

/** XML Schema dateTime in UTC without milliseconds, the form the data model's examples use. */
export function xsdDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * An unsigned W3C credential. VCDM 2.0 (§4): base context `…/ns/credentials/v2`, `validFrom` /
 * `validUntil`. VCDM 1.1 (§4.7, §4.8): base context `…/2018/credentials/v1`, `issuanceDate` /
 * `expirationDate`. Neither base context has an `@vocab`, so when no domain context is given the
 * W3C undefined-terms context (VCDM 2.0 §5.2) maps the claims to issuer-dependent IRIs (JSON-LD
 * safe mode would otherwise refuse them); 1.1 also gets the status list context for status entries. `name`/`description` exist in 2.0 only.
 */
export function buildW3cCredential(input: W3cCredentialInput): Record<string, unknown> {
  const v2 = input.dataModel === '2.0';
  const contexts = [v2 ? VC_V2_CONTEXT : VC_V1_CONTEXT, ...(input.contexts ?? [])];
  if ((input.contexts ?? []).length === 0) contexts.push(UNDEFINED_TERMS_CONTEXT);
  if (!v2 && input.status?.length && !contexts.includes(STATUS_LIST_V1_CONTEXT)) {
    contexts.push(STATUS_LIST_V1_CONTEXT);
  }
  const subject =
    input.subjectId && input.credentialSubject.id === undefined
      ? { id: input.subjectId, ...input.credentialSubject }
      : input.credentialSubject;
  const status = input.status && bitstringStatusEntries(input.status);
  return {
    '@context': contexts,
    ...(input.id ? { id: input.id } : {}),
    type: ['VerifiableCredential', ...input.types.filter((t) => t !== 'VerifiableCredential')],
    ...(v2 && input.name ? { name: input.name } : {}),
    ...(v2 && input.description ? { description: input.description } : {}),
    issuer: input.issuer,
    ...(v2
      ? {
          validFrom: xsdDateTime(input.validFrom),
          ...(input.validUntil ? { validUntil: xsdDateTime(input.validUntil) } : {}),
        }
      : {
          issuanceDate: xsdDateTime(input.validFrom),
          ...(input.validUntil ? { expirationDate: xsdDateTime(input.validUntil) } : {}),
        }),
    credentialSubject: subject,
    ...(status?.length ? { credentialStatus: status.length === 1 ? status[0] : status } : {}),
    ...input.extra,
  };
}
