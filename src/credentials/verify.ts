import type { JWK } from 'jose';
import { verifyLdpVc } from './data-integrity/verify.js';
import type { DidDocumentResolver } from './did/index.js';
import { createDocumentLoader } from './jsonld/document-loader.js';
import { verifyJwtVc } from './jwt-vc/verify.js';
import { verifyMdoc } from './mdoc/verify.js';
import { CredentialVerificationError, verifySdJwtVc } from './sd-jwt-vc/index.js';

export type CredentialFormatName = 'dc+sd-jwt' | 'jwt_vc_json' | 'ldp_vc' | 'mso_mdoc';

/**
 * The format of a credential as it arrives (a Credential Response entry, a file, a QR payload):
 * a JSON object with a `proof` is ldp_vc; `<jwt>~…` an SD-JWT; a three-part JWS a jwt_vc_json;
 * a single base64url string an mdoc IssuerSigned.
 */
export function detectFormat(credential: unknown): CredentialFormatName | undefined {
  if (typeof credential === 'object' && credential !== null && 'proof' in credential) return 'ldp_vc';
  if (typeof credential !== 'string') return undefined;
  const text = credential.trim();
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*~/.test(text)) return 'dc+sd-jwt';
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text)) return 'jwt_vc_json';
  if (/^[A-Za-z0-9_-]+$/.test(text)) return 'mso_mdoc';
  return undefined;
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

export interface VerifiedAny {
  format: CredentialFormatName;
  /** Issuer identifier: SD-JWT `iss`, W3C `issuer`, or the mdoc certificate's issuer is not a URL (undefined). */
  issuer?: string;
  /** What the credential says: SD-JWT claims, W3C credentialSubject, mdoc namespaces. */
  claims: Record<string, unknown>;
  validFrom?: Date;
  validUntil?: Date;
  /** Status references as carried (SD-JWT `status`, W3C `credentialStatus`), for the caller to check. */
  status?: unknown;
}

const date = (seconds: unknown) => (typeof seconds === 'number' ? new Date(seconds * 1000) : undefined);

/**
 * Verifies a credential of any of our formats with the format's verifier (signature, structure,
 * validity). Status lists are not fetched here: `status` is returned for the caller to check.
 * Throws CredentialVerificationError.
 */
export async function verifyAnyCredential(
  credential: unknown,
  options: VerifyAnyOptions,
): Promise<VerifiedAny> {
  const format = detectFormat(credential);
  const now = options.now ? { now: options.now } : {};
  switch (format) {
    case 'dc+sd-jwt': {
      if (!options.sdJwtIssuerJwks) throw new CredentialVerificationError('no SD-JWT VC issuer keys');
      const v = await verifySdJwtVc(credential as string, { issuerJwks: options.sdJwtIssuerJwks, ...now });
      const { iss, iat, exp, nbf, cnf: _cnf, vct, status, ...claims } = v.claims;
      return {
        format,
        issuer: iss as string,
        claims: { vct, ...claims },
        validFrom: date(nbf ?? iat),
        validUntil: date(exp),
        status,
      };
    }
    case 'jwt_vc_json': {
      const v = await verifyJwtVc(credential as string, {
        ...(options.resolveDid ? { resolveDid: options.resolveDid } : {}),
        ...now,
      });
      return {
        format,
        issuer: v.issuer,
        claims: v.credential.credentialSubject as Record<string, unknown>,
        validFrom: v.validFrom,
        validUntil: v.validUntil,
        status: v.credential.credentialStatus,
      };
    }
    case 'ldp_vc': {
      const documentLoader = createDocumentLoader({
        ...(options.resolveDid ? { resolveDid: options.resolveDid } : {}),
        ...(options.contexts ? { contexts: options.contexts } : {}),
      });
      const v = await verifyLdpVc(credential, { documentLoader, ...now });
      return {
        format,
        issuer: v.issuer,
        claims: v.credential.credentialSubject as Record<string, unknown>,
        validFrom: v.validFrom,
        validUntil: v.validUntil,
        status: v.credential.credentialStatus,
      };
    }
    case 'mso_mdoc': {
      if (!options.trustedCertificates?.length)
        throw new CredentialVerificationError('no trusted IACA certificates');
      const v = await verifyMdoc(credential as string, {
        trustedCertificates: options.trustedCertificates,
        ...now,
      });
      return {
        format,
        claims: v.namespaces,
        validFrom: v.validFrom,
        validUntil: v.validUntil,
        status: v.status,
      };
    }
    default:
      throw new CredentialVerificationError('not a credential in a supported format');
  }
}
