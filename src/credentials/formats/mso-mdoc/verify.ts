import { Holder, IssuerSigned, type VerificationAssessment } from '@owf/mdoc';
import { CredentialValidityError, CredentialVerificationError, type FailedCheck } from '../../errors.js';
import { mdocContext } from './context.js';
import { readMsoStatus } from './status.js';

export interface VerifyMdocOptions {
  /** IACA root certificates (DER) the document-signer certificate must chain to. */
  trustedCertificates: Uint8Array[];
  now?: Date;
}

export interface VerifiedMdoc {
  docType: string;
  /** Namespace → element identifier → value, as decoded (full-dates as DateOnly, bytes as Uint8Array). */
  namespaces: Record<string, Record<string, unknown>>;
  validFrom: Date;
  validUntil: Date;
  /** The deviceKey bound in the MSO, as a JWK. */
  deviceJwk: Record<string, unknown>;
  /** The MSO's status reference (`{status_list: {idx, uri}}`), when it has one. */
  status?: { status_list: { idx: number; uri: string } };
}

/** The @owf/mdoc check names that are about the chain to a trusted root, or about time only. */
const CHECK_KIND: Record<string, FailedCheck> = {
  'Issuer certificate must be valid': 'issuer',
  'The MSO must be valid at the time of verification': 'validity',
};

/**
 * Verifies an IssuerSigned as received from an OpenID4VCI issuer (base64url): the x5chain up to a
 * trusted IACA, the issuerAuth COSE_Sign1, every element digest, the validity window, and that
 * `issuing_country` matches the certificate (ISO/IEC 18013-5 §9.3.1). Throws
 * CredentialVerificationError naming the first failed check.
 */
export async function verifyMdoc(encoded: string, options: VerifyMdocOptions): Promise<VerifiedMdoc> {
  if (typeof encoded !== 'string' || encoded.length > 512 * 1024 || !/^[A-Za-z0-9_-]+$/.test(encoded)) {
    throw new CredentialVerificationError('not a base64url IssuerSigned');
  }
  let issuerSigned: IssuerSigned;
  try {
    issuerSigned = IssuerSigned.fromEncodedForOid4Vci(encoded);
  } catch {
    throw new CredentialVerificationError('IssuerSigned could not be decoded');
  }
  const failures: VerificationAssessment[] = [];
  try {
    await Holder.verifyIssuerSigned(
      {
        issuerSigned,
        trustedCertificates: options.trustedCertificates,
        ...(options.now ? { now: options.now } : {}),
        verificationCallback: (assessment) => {
          if (assessment.status === 'FAILED') failures.push(assessment);
        },
      },
      mdocContext(),
    );
  } catch {
    throw new CredentialVerificationError('IssuerSigned could not be verified');
  }
  const [failed] = failures;
  if (failed) {
    const reason = `mdoc: ${failed.check}`;
    if (CHECK_KIND[failed.check] === 'validity') {
      throw new CredentialValidityError(
        reason,
        issuerSigned.issuerAuth.mobileSecurityObject.validityInfo.validFrom,
      );
    }
    throw new CredentialVerificationError(reason, CHECK_KIND[failed.check]);
  }
  const mso = issuerSigned.issuerAuth.mobileSecurityObject;
  const status = readMsoStatus((mso.decodedStructure as unknown as Map<string, unknown>).get('status'));
  const namespaces: Record<string, Record<string, unknown>> = {};
  for (const [namespace] of issuerSigned.issuerNamespaces?.issuerNamespaces ?? new Map()) {
    namespaces[namespace] = issuerSigned.getPrettyClaims(namespace) ?? {};
  }
  return {
    docType: mso.docType,
    namespaces,
    validFrom: mso.validityInfo.validFrom,
    validUntil: mso.validityInfo.validUntil,
    deviceJwk: mso.deviceKeyInfo.deviceKey.jwk,
    ...(status ? { status } : {}),
  };
}
