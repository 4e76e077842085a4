import { formatOf } from '../../credentials/formats/index.js';
import { inspectCredential } from '../../credentials/verify/index.js';
import type { Config } from '../../platform/config/index.js';
import type { IssuerKeys } from '../issuance/issuer-keys.js';
import { report, type VerificationReport } from './report.js';
import { portalTrustPolicy } from './trust-policy.js';

export type { CheckOutcome, VerificationReport } from './report.js';

/** A claim value as the page shows it: bytes (an mdoc portrait) by their size, the rest as JSON has it. */
function shown(claims: Record<string, unknown>): Record<string, unknown> {
  const named = Object.fromEntries(
    Object.entries(claims).map(([name, value]) => [
      name,
      value instanceof Uint8Array ? `(${value.length} bytes)` : value,
    ]),
  );
  return JSON.parse(JSON.stringify(named)) as Record<string, unknown>;
}

/**
 * The verify page's answer for a credential from anyone, of any format: the portal trusts the
 * issuers of its catalogue (nothing is fetched from any other), and src/credentials/verify checks
 * issuer, signature, validity and status.
 */
export async function verifyReport(
  config: Config,
  keys: IssuerKeys,
  trustedIssuers: string[],
  credential: string,
): Promise<VerificationReport> {
  const inspection = await inspectCredential(credential, portalTrustPolicy(config, keys, trustedIssuers));
  const { verified } = inspection;
  return report({
    format: inspection.format,
    issuer: inspection.issuer,
    ...(verified?.type !== undefined && formatOf(verified.format)?.documentKind === 'sd-jwt'
      ? { vct: verified.type }
      : {}),
    checks: inspection.checks,
    reasons: inspection.reasons,
    ...(verified ? { claims: shown(verified.personalClaims) } : {}),
  });
}
