import type { JWK } from 'jose';
import type { DidDocumentResolver } from '../did/index.js';
import { CredentialVerificationError } from '../errors.js';
import {
  type CredentialFormat,
  type CredentialFormatId,
  formatByShape,
  sameFormat,
} from '../formats/index.js';
import type { VerifiedCredential, VerifyContext } from './types.js';

/** JSON text (a downloaded ldp_vc) as the object it is; any other input as it came. */
export function parseCredential(credential: unknown): unknown {
  if (typeof credential !== 'string') return credential;
  const text = credential.trim();
  if (!text.startsWith('{')) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new CredentialVerificationError('malformed credential');
  }
}

/**
 * The format of a credential as it arrives (a Credential Response entry, a file, a QR payload): a
 * JSON object (or its text) with a `proof` is ldp_vc; `<jwt>~…` an SD-JWT VC; a three-part JWS a
 * jwt_vc_json; a single base64url string an mdoc IssuerSigned.
 */
export function detectFormat(credential: unknown): CredentialFormatId | undefined {
  try {
    return formatByShape(parseCredential(credential))?.id;
  } catch {
    return undefined;
  }
}

/** The format of a credential as it arrives, or CredentialVerificationError. */
export function formatOfCredential(credential: unknown): CredentialFormat {
  const format = formatByShape(credential);
  if (!format) throw new CredentialVerificationError('not a credential in a supported format');
  return format;
}

/**
 * The one place a credential of any format is verified: its format is detected from its shape
 * (and must be `expectedFormat` when given), then that format's verifier checks signature,
 * structure and validity with what the context provides. Status is `checkStatus`'s.
 * Throws CredentialVerificationError.
 */
export async function verifyCredential(
  credential: unknown,
  context: VerifyContext,
  expectedFormat?: string,
): Promise<VerifiedCredential> {
  const input = parseCredential(credential);
  const format = formatOfCredential(input);
  if (expectedFormat !== undefined && !sameFormat(format.id, expectedFormat))
    throw new CredentialVerificationError('credential of another format');
  return format.verify(input, context);
}

export interface VerifyAnyOptions {
  /** SD-JWT VC issuer keys (from the issuer's /.well-known/jwt-vc-issuer). */
  sdJwtIssuerJwks?: { keys: JWK[] };
  /** DID documents for W3C issuers (e.g. `createDidWebResolver({trusted})`); did:key needs none. */
  resolveDid?: DidDocumentResolver;
  /** IACA roots (DER) for mdocs. */
  trustedCertificates?: Uint8Array[];
  /** Extra JSON-LD contexts a verifier allows (URL → document). */
  contexts?: Record<string, object>;
  now?: Date;
}

/** `verifyCredential` with fixed keys, DID resolver and roots instead of lookups. */
export function verifyAnyCredential(
  credential: unknown,
  options: VerifyAnyOptions,
): Promise<VerifiedCredential> {
  const { sdJwtIssuerJwks, trustedCertificates } = options;
  return verifyCredential(credential, {
    ...(sdJwtIssuerJwks ? { issuerJwks: async () => sdJwtIssuerJwks } : {}),
    ...(trustedCertificates ? { trustedCertificates: async () => trustedCertificates } : {}),
    ...(options.resolveDid ? { resolveDid: options.resolveDid } : {}),
    ...(options.contexts ? { contexts: options.contexts } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
