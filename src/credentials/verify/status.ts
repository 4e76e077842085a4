import { compactVerify, createLocalJWKSet, decodeJwt } from 'jose';
import { CredentialVerificationError } from '../errors.js';
import { requireFormat } from '../formats/index.js';
import {
  bitstringStatusAt,
  credentialStatusEntries,
  readBitstringStatusEntry,
} from '../status/bitstring-status-list.js';
import {
  readTokenStatusClaim,
  STATUS_LIST_JWT_MEDIA_TYPE,
  tokenStatusAt,
} from '../status/token-status-list.js';
import type { VerifiedCredential, VerifyContext } from './types.js';
import { verifyCredential } from './verify.js';

export interface StatusContext {
  /**
   * Fetches a status list: a Status List Token (text), or a Bitstring Status List credential (a
   * JSON object, or a JWT as text). The caller decides which URLs it fetches and bounds the answer;
   * a rejection means the list is unavailable.
   */
  fetchStatusList(uri: string, accept: string): Promise<unknown>;
}

export interface StatusOutcome {
  outcome: 'passed' | 'failed' | 'skipped';
  /** Short, fixed reasons: `revoked`, `suspended`, or why the status could not be read. */
  reasons: string[];
}

/** draft-ietf-oauth-status-list §7.1: 0x01 INVALID, 0x02 SUSPENDED (0x00 VALID). */
const TOKEN_STATUS_NAMES: Record<number, string> = { 1: 'revoked', 2: 'suspended' };

const SKIPPED: StatusOutcome = { outcome: 'skipped', reasons: [] };

function outcome(reasons: string[]): StatusOutcome {
  return { outcome: reasons.length ? 'failed' : 'passed', reasons };
}

/**
 * An IETF Token Status List reference: the list token is fetched, verified with the issuer's keys
 * (the credential's own issuer: a list signed by anyone else says nothing), and the entry read.
 */
async function tokenStatus(
  verified: VerifiedCredential,
  context: VerifyContext & StatusContext,
): Promise<StatusOutcome> {
  let references: ReturnType<typeof readTokenStatusClaim>;
  try {
    references = readTokenStatusClaim(verified.status);
  } catch {
    return outcome(['status reference malformed']);
  }
  const [reference] = references;
  // An mdoc names no issuer whose keys would sign its list: its status is not checked here.
  if (!reference || !verified.issuer || !context.issuerJwks) return SKIPPED;
  let token: string;
  try {
    token = String(await context.fetchStatusList(reference.uri, STATUS_LIST_JWT_MEDIA_TYPE)).trim();
  } catch {
    return outcome(['status list unavailable']);
  }
  try {
    const jwks = await context.issuerJwks(verified.issuer, { refresh: false });
    await compactVerify(token, createLocalJWKSet(jwks));
    const payload = decodeJwt(token);
    if (payload.sub !== reference.uri) return outcome(['status list of another URI']);
    if (typeof payload.exp === 'number' && payload.exp * 1000 < Date.now())
      return outcome(['status list expired']);
    const value = tokenStatusAt(payload.status_list as { bits?: unknown; lst?: unknown }, reference.idx);
    return outcome(value === 0 ? [] : [TOKEN_STATUS_NAMES[value] ?? `status ${value}`]);
  } catch {
    return outcome(['status list invalid']);
  }
}

/**
 * Each W3C Bitstring Status List entry: the list credential is fetched, verified like a credential
 * (same trust), must be the credential's issuer's, and the entry's bit read.
 */
async function bitstringStatus(
  verified: VerifiedCredential,
  context: VerifyContext & StatusContext,
): Promise<StatusOutcome> {
  const entries = credentialStatusEntries(verified.status);
  if (!entries.length) return SKIPPED;
  const reasons: string[] = [];
  for (const raw of entries) {
    try {
      const entry = readBitstringStatusEntry(raw);
      let list: unknown;
      try {
        list = await context.fetchStatusList(
          entry.statusListCredential,
          'application/vc+ld+json, application/vc+jwt, application/json',
        );
      } catch {
        throw new CredentialVerificationError('status list unavailable');
      }
      const listVerified = await verifyCredential(list, { ...context, expectedIssuer: undefined });
      if (requireFormat(listVerified.format).documentKind !== 'w3c')
        throw new CredentialVerificationError('status list malformed');
      if (listVerified.issuer !== verified.issuer)
        throw new CredentialVerificationError('status list of another issuer');
      const encodedList = (listVerified.claims as { encodedList?: unknown }).encodedList;
      if (typeof encodedList !== 'string') throw new CredentialVerificationError('status list malformed');
      if (await bitstringStatusAt(encodedList, Number(entry.statusListIndex))) {
        reasons.push(entry.statusPurpose === 'suspension' ? 'suspended' : 'revoked');
      }
    } catch (error) {
      reasons.push(error instanceof CredentialVerificationError ? error.message : 'status list invalid');
    }
  }
  return outcome(reasons);
}

/**
 * The status of a verified credential, from the status list its format refers to. Lists are
 * fetched through the context and decoded here (credentials/status/), once for every caller.
 */
export async function checkStatus(
  verified: VerifiedCredential,
  context: VerifyContext & StatusContext,
): Promise<StatusOutcome> {
  return requireFormat(verified.format).statusList === 'token-status-list'
    ? tokenStatus(verified, context)
    : bitstringStatus(verified, context);
}
