import { CredentialValidityError, CredentialVerificationError } from '../errors.js';
import type { CredentialFormat, CredentialFormatId } from '../formats/index.js';
import { checkStatus, type StatusContext } from './status.js';
import type { VerifiedCredential, VerifyContext } from './types.js';
import { formatOfCredential, parseCredential } from './verify.js';

export type CheckOutcome = 'passed' | 'failed' | 'skipped';

/** A verifier's trust policy: the lookups it allows, and which issuers it accepts. */
export interface TrustPolicy extends VerifyContext, StatusContext {
  /** Whether the issuer a credential names is one the verifier accepts; asked before any key is fetched. */
  trustsIssuer(issuer: string): boolean;
}

/** Each check of a credential, for a person to read: what passed, what failed and why. */
export interface Inspection {
  format?: CredentialFormatId;
  /** The issuer as the credential names it (checked or not), or its type when it names none. */
  issuer?: string;
  checks: { signature: CheckOutcome; issuer: CheckOutcome; validity: CheckOutcome; status: CheckOutcome };
  /** Short, fixed reasons (never credential content). */
  reasons: string[];
  /** Present when the signature held (also when only the time did not). */
  verified?: VerifiedCredential;
}

const SKIPPED = { signature: 'skipped', issuer: 'skipped', validity: 'skipped', status: 'skipped' } as const;

function refused(format: CredentialFormat | undefined, reasons: string[], issuer?: string): Inspection {
  return {
    ...(format ? { format: format.id } : {}),
    ...(issuer !== undefined ? { issuer } : {}),
    checks: { ...SKIPPED, signature: 'failed' },
    reasons,
  };
}

/**
 * Every check of a credential from anyone, as a verify page shows them: the issuer against the
 * policy before anything is fetched, then signature and structure, validity (a credential whose
 * signature holds but whose time does not is read as of its start, to show it), and status.
 */
export async function inspectCredential(credential: unknown, policy: TrustPolicy): Promise<Inspection> {
  let input: unknown;
  let format: CredentialFormat;
  try {
    input = parseCredential(credential);
    format = formatOfCredential(input);
  } catch {
    return refused(undefined, ['malformed credential']);
  }
  let issuer: string | undefined;
  try {
    issuer = format.claimedIssuer(input);
  } catch {
    return refused(format, ['malformed credential']);
  }
  const byIssuer = format.trust === 'issuer';
  if (byIssuer && (issuer === undefined || !policy.trustsIssuer(issuer))) {
    return {
      format: format.id,
      ...(issuer !== undefined ? { issuer } : {}),
      checks: { ...SKIPPED, issuer: 'failed' },
      reasons: ['unknown issuer'],
    };
  }
  const reasons: string[] = [];
  let validity: CheckOutcome = 'passed';
  let verified: VerifiedCredential;
  try {
    verified = await format.verify(input, policy);
  } catch (error) {
    const reason = error instanceof CredentialVerificationError ? error.message : 'invalid';
    if (error instanceof CredentialVerificationError && error.check === 'issuer') {
      return { format: format.id, checks: { ...SKIPPED, issuer: 'failed' }, reasons: [reason] };
    }
    if (!(error instanceof CredentialValidityError)) {
      return {
        format: format.id,
        ...(issuer !== undefined ? { issuer } : {}),
        checks: { ...SKIPPED, signature: 'failed', issuer: byIssuer ? 'passed' : 'skipped' },
        reasons: [reason],
      };
    }
    // The signature held; only the time did not. Read it as of its start, to show it.
    validity = 'failed';
    reasons.push(reason);
    try {
      verified = await format.verify(input, { ...policy, now: error.validFrom ?? new Date(0) });
    } catch {
      return {
        format: format.id,
        ...(issuer !== undefined ? { issuer } : {}),
        checks: { ...SKIPPED, signature: 'failed', issuer: 'passed', validity },
        reasons,
      };
    }
  }
  const status = await checkStatus(verified, policy);
  return {
    format: verified.format,
    issuer: issuer ?? verified.issuer ?? verified.type,
    checks: { signature: 'passed', issuer: 'passed', validity, status: status.outcome },
    reasons: [...reasons, ...status.reasons],
    verified,
  };
}
