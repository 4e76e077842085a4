import {
  formatOf,
  JWT_VC_JSON,
  LDP_VC,
  MDL_DOCTYPE,
  MSO_MDOC,
  SD_JWT_VC,
  SD_JWT_VC_LEGACY,
  VC_JWT,
} from '../../credentials/formats/index.js';
import type { CredentialType } from './issuer-metadata.js';

/**
 * The format the portal's own journey (card, PDF with QR code) takes when a credential is offered in
 * several, best first. What decides is how well the printed QR code verifies without a network:
 * - SD-JWT VC: compact, so it fits the QR code itself (PixelPass); verified with the issuer's keys
 *   (`/.well-known/jwt-vc-issuer`), which a verifier fetches once and keeps; its status list token is
 *   signed and cacheable too.
 * - ISO mdoc: carries its document-signer certificate, so only the issuer's root (IACA) is needed —
 *   but it is binary and carries a portrait, so it rarely fits a QR code and the PDF falls back to a
 *   one-time link, which needs the network.
 * - jwt_vc_json (VCDM 1.1, read by the most verifiers), vc+jwt (VCDM 2.0), then ldp_vc: the
 *   issuer's key is in its did:web document, fetched at verification;
 *   ldp_vc also needs its JSON-LD contexts and is the largest.
 */
export const CARD_FORMAT_PREFERENCE: readonly string[] = [
  SD_JWT_VC,
  SD_JWT_VC_LEGACY,
  MSO_MDOC,
  JWT_VC_JSON,
  VC_JWT,
  LDP_VC,
];

/** One credential as a person sees it: the configurations that issue it, in journey order. */
export interface CredentialGroup {
  /** The scope the configurations share (what the portal asks the authorization server for). */
  key: string;
  /** The configuration the card and PDF journey uses. */
  primary: CredentialType;
  /** Every configuration of the group, `primary` first, then by CARD_FORMAT_PREFERENCE. */
  types: CredentialType[];
}

function rank(format: string): number {
  const i = CARD_FORMAT_PREFERENCE.indexOf(format);
  return i === -1 ? CARD_FORMAT_PREFERENCE.length : i;
}

/** The key of the credential a configuration issues: its scope, else its type or document type, else its id. */
export function groupKey(type: CredentialType): string {
  return type.scope ?? type.vct ?? type.doctype ?? type.id;
}

/**
 * Configurations that issue the same credential in different formats become one group. An issuer
 * names what a person asks for by `scope` (OpenID4VCI 1.0 §5.1.2: the authorization request asks for
 * the credential by scope, whatever its format), so configurations sharing a scope are one credential.
 * Groups keep the order in which the issuer lists their first configuration.
 */
export function groupTypes(types: CredentialType[]): CredentialGroup[] {
  const groups = new Map<string, CredentialType[]>();
  for (const type of types) {
    const key = groupKey(type);
    groups.set(key, [...(groups.get(key) ?? []), type]);
  }
  return [...groups.entries()].map(([key, members]) => {
    const sorted = [...members].sort((a, b) => rank(a.format) - rank(b.format));
    return { key, primary: sorted[0] as CredentialType, types: sorted };
  });
}

/** The configurations of the credential `id` belongs to, `id` first: what a wallet offer may carry. */
export function siblingsOf(types: CredentialType[], id: string): CredentialType[] {
  const own = types.find((t) => t.id === id);
  if (!own) return [];
  const key = groupKey(own);
  return [own, ...types.filter((t) => t.id !== id && groupKey(t) === key)];
}

/** Which plain-words name a format gets in the "other formats" list (messages `formatNames`). */
export type FormatName = 'sdJwt' | 'jwtVc' | 'ldpVc' | 'mdl' | 'mdoc' | 'other';

export function formatName(type: Pick<CredentialType, 'format' | 'doctype'>): FormatName {
  switch (formatOf(type.format)?.id) {
    case SD_JWT_VC:
      return 'sdJwt';
    case JWT_VC_JSON:
    case VC_JWT:
      return 'jwtVc';
    case LDP_VC:
      return 'ldpVc';
    case MSO_MDOC:
      // ISO/IEC 18013-5 §7.1: the document type of a mobile driving licence.
      return type.doctype === MDL_DOCTYPE ? 'mdl' : 'mdoc';
    default:
      return 'other';
  }
}
