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
