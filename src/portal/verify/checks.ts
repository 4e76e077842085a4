import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { compactVerify, createLocalJWKSet, decodeJwt, type JWK } from 'jose';
import { CredentialVerificationError, verifySdJwtVc } from '../../credentials/sd-jwt-vc/index.js';
import type { Config } from '../../platform/config/index.js';
import { UpstreamError } from '../errors.js';
import { request, requireSecureUrl } from '../http.js';
import type { IssuerKeys } from '../issuance/issuer-keys.js';
import { TECHNICAL_CLAIMS } from '../issuance/obtain-credential.js';
import { type CheckOutcome, report, TIME_REASONS, type VerificationReport } from './report.js';

export type { CheckOutcome, VerificationReport } from './report.js';

/** Token Status List §7.1: 0x00 VALID, 0x01 INVALID, 0x02 SUSPENDED. */
const STATUS_NAMES: Record<number, string> = { 1: 'revoked', 2: 'suspended' };

/**
 * An IETF Token Status List entry (`status.status_list: {idx, uri}`): the list token is fetched,
 * its signature checked with the issuer's keys, and the credential's entry read.
 */
async function tokenStatus(
  config: Config,
  jwks: { keys: JWK[] },
  reference: unknown,
): Promise<{ outcome: CheckOutcome; reason?: string }> {
  const entry = (reference as { status_list?: { idx?: unknown; uri?: unknown } } | undefined)?.status_list;
  if (!entry) return { outcome: 'skipped' };
  if (typeof entry.idx !== 'number' || typeof entry.uri !== 'string')
    return { outcome: 'failed', reason: 'status reference malformed' };
  try {
    const url = requireSecureUrl(config, entry.uri, 'verification');
    const response = await request('verification', url, {
      headers: { accept: 'application/statuslist+jwt' },
    });
    if (response.status !== 200) return { outcome: 'failed', reason: 'status list unavailable' };
    const token = response.text.trim();
    await compactVerify(token, createLocalJWKSet(jwks));
    const payload = decodeJwt(token);
    if (payload.sub !== entry.uri) return { outcome: 'failed', reason: 'status list of another URI' };
    if (typeof payload.exp === 'number' && payload.exp * 1000 < Date.now()) {
      return { outcome: 'failed', reason: 'status list expired' };
    }
    const value = getListFromStatusListJWT(token).getStatus(entry.idx);
    if (value === 0) return { outcome: 'passed' };
    return { outcome: 'failed', reason: STATUS_NAMES[value] ?? `status ${value}` };
  } catch (error) {
    if (error instanceof UpstreamError) return { outcome: 'failed', reason: 'status list unavailable' };
    return { outcome: 'failed', reason: 'status list invalid' };
  }
}

/**
 * Verifies an SD-JWT VC from anyone: the issuer must be one the portal knows (its catalogue), so
 * the portal fetches keys only of configured issuers; then signature, validity period and status.
 */
export async function verifySdJwt(
  config: Config,
  keys: IssuerKeys,
  trustedIssuers: string[],
  credential: string,
): Promise<VerificationReport> {
  let iss: string | undefined;
  let format = 'dc+sd-jwt';
  try {
    const payload = decodeJwt(credential.split('~')[0] ?? '');
    iss = typeof payload.iss === 'string' ? payload.iss : undefined;
  } catch {
    return report({
      format,
      checks: { signature: 'failed', issuer: 'skipped', validity: 'skipped', status: 'skipped' },
      reasons: ['malformed credential'],
    });
  }
  if (!iss || !trustedIssuers.includes(iss)) {
    return report({
      format,
      issuer: iss,
      checks: { signature: 'skipped', issuer: 'failed', validity: 'skipped', status: 'skipped' },
      reasons: ['unknown issuer'],
    });
  }
  let jwks: { keys: JWK[] };
  try {
    jwks = await keys.jwks(iss);
  } catch {
    return report({
      format,
      issuer: iss,
      checks: { signature: 'failed', issuer: 'passed', validity: 'skipped', status: 'skipped' },
      reasons: ['issuer keys unavailable'],
    });
  }
  const reasons: string[] = [];
  let validity: CheckOutcome = 'passed';
  let verified: Awaited<ReturnType<typeof verifySdJwtVc>>;
  try {
    verified = await verifySdJwtVc(credential, { issuerJwks: jwks, expectedIssuer: iss });
  } catch (error) {
    const reason = error instanceof CredentialVerificationError ? error.message : 'invalid';
    if (!TIME_REASONS.has(reason)) {
      return report({
        format,
        issuer: iss,
        checks: { signature: 'failed', issuer: 'passed', validity: 'skipped', status: 'skipped' },
        reasons: [reason],
      });
    }
    // The signature held; only the time did not. Read it as of its issuance to show it.
    validity = 'failed';
    reasons.push(reason);
    const iat = decodeJwt(credential.split('~')[0] ?? '').iat;
    verified = await verifySdJwtVc(credential, { issuerJwks: jwks, expectedIssuer: iss, now: iat ?? 0 });
  }
  if (verified.header.typ === 'vc+sd-jwt') format = 'vc+sd-jwt';
  const status = await tokenStatus(config, jwks, verified.payload.status);
  if (status.reason) reasons.push(status.reason);
  const claims = Object.fromEntries(
    Object.entries(verified.claims).filter(([n]) => !TECHNICAL_CLAIMS.has(n)),
  );
  return report({
    format,
    issuer: iss,
    vct: typeof verified.payload.vct === 'string' ? verified.payload.vct : undefined,
    checks: { signature: 'passed', issuer: 'passed', validity, status: status.outcome },
    reasons,
    claims,
  });
}
