export type CheckOutcome = 'passed' | 'failed' | 'skipped';

export interface VerificationReport {
  valid: boolean;
  format: string | undefined;
  issuer: string | undefined;
  checks: { signature: CheckOutcome; issuer: CheckOutcome; validity: CheckOutcome; status: CheckOutcome };
  /** Short, fixed reasons (never credential content beyond the issuer identifier). */
  reasons: string[];
  /** The disclosed personal claims when the signature verified. */
  claims: Record<string, unknown> | undefined;
  vct?: string | undefined;
}

/** A report from its checks: valid when the signature passed and no check failed. */
export function report(
  partial: Partial<VerificationReport> & Pick<VerificationReport, 'checks'>,
): VerificationReport {
  const { checks } = partial;
  const valid = Object.values(checks).every((c) => c !== 'failed') && checks.signature === 'passed';
  return {
    valid,
    format: partial.format,
    issuer: partial.issuer,
    checks,
    reasons: partial.reasons ?? [],
    claims: partial.claims,
    vct: partial.vct,
  };
}

/** What the verify page says in plain words, one sentence per kind of reason. */
export type ReasonKind =
  | 'revoked'
  | 'suspended'
  | 'expired'
  | 'notYetValid'
  | 'unknownIssuer'
  | 'signature'
  | 'malformed'
  | 'unavailable'
  | 'other';

/** The kind of a verifier's reason (`revoked`, `mdoc: VALIDITY`, `no issuer key matches` …). */
export function reasonKind(reason: string): ReasonKind {
  if (reason === 'revoked' || reason === 'suspended' || reason === 'expired') return reason;
  if (reason === 'mdoc: VALIDITY') return 'expired';
  if (reason === 'not yet valid' || reason === 'issued in the future') return 'notYetValid';
  if (reason === 'unknown issuer' || /IACA|x5chain|trusted/i.test(reason)) return 'unknownIssuer';
  if (/unavailable|unreachable/.test(reason)) return 'unavailable';
  if (/malformed|decoded|not a |too large|not supported|could not be processed/.test(reason))
    return 'malformed';
  if (/signature|key|proof|invalid|digest|forged/i.test(reason)) return 'signature';
  return 'other';
}

/** Claims that say until when a credential counts, by the names the demo formats use. */
const UNTIL_CLAIMS = ['expiry_date', 'valid_until', 'validUntil', 'expirationDate'];
/** "Expiring" is amber this long before the end. */
export const EXPIRING_DAYS = 30;

/** The date a credential's claims say it ends (ISO 8601 date), if they say it. */
export function claimedEnd(claims: Record<string, unknown> | undefined): string | undefined {
  for (const name of UNTIL_CLAIMS) {
    const value = claims?.[name];
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  }
  return undefined;
}

export type Verdict =
  | { kind: 'valid' }
  | { kind: 'warning'; reasons: ReasonKind[]; expiresOn?: string }
  | { kind: 'invalid'; reasons: ReasonKind[] };

/**
 * Green, amber or red: valid; genuine (signature and issuer held) but suspended, or valid but ending
 * within EXPIRING_DAYS; or not valid, with the reasons in kinds the page words plainly.
 */
export function verdictOf(result: VerificationReport, now = Date.now()): Verdict {
  const kinds = [...new Set(result.reasons.map(reasonKind))];
  const { signature, issuer } = result.checks;
  if (!result.valid) {
    const suspendedOnly =
      signature === 'passed' && issuer === 'passed' && kinds.length === 1 && kinds[0] === 'suspended';
    if (suspendedOnly) return { kind: 'warning', reasons: kinds };
    const failed = Object.values(result.checks).some((c) => c === 'failed');
    return { kind: 'invalid', reasons: kinds.length ? kinds : failed ? ['signature'] : ['malformed'] };
  }
  const end = claimedEnd(result.claims);
  if (end && Date.parse(`${end}T23:59:59Z`) - now < EXPIRING_DAYS * 86_400_000) {
    return { kind: 'warning', reasons: [], expiresOn: end };
  }
  return { kind: 'valid' };
}
