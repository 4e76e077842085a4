import { gunzipSync } from 'node:zlib';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { verifyLdpVc } from '../../credentials/data-integrity/verify.js';
import { didWebDocumentUrl, didWebFromUrl } from '../../credentials/did/did-web.js';
import { createDocumentLoader } from '../../credentials/jsonld/document-loader.js';
import { verifyJwtVc } from '../../credentials/jwt-vc/verify.js';
import { CredentialVerificationError } from '../../credentials/sd-jwt-vc/index.js';
import type { Config } from '../../platform/config/index.js';
import { request, requireSecureUrl } from '../http.js';
import { type CheckOutcome, report, TIME_REASONS, type VerificationReport } from './report.js';

const MAX_STATUS_LIST_BITS = 16 * 1024 * 1024 * 8;

/**
 * The issuers' DIDs the portal trusts: the did:web of each issuer of its catalogue, whose document it
 * fetches (and only those, so an uploaded credential cannot make the portal call anywhere else).
 */
export function trustedDids(issuers: string[]): Map<string, string> {
  return new Map(issuers.map((issuer) => [didWebFromUrl(issuer), issuer]));
}

function didResolver(config: Config, trusted: Map<string, string>) {
  return async (did: string): Promise<Record<string, unknown> | undefined> => {
    if (!trusted.has(did)) return undefined;
    const response = await request(
      'verification',
      requireSecureUrl(config, didWebDocumentUrl(did), 'verification'),
    );
    return response.status === 200 && typeof response.json === 'object'
      ? (response.json as Record<string, unknown>)
      : undefined;
  };
}

function issuerOf(credential: Record<string, unknown>): string | undefined {
  const issuer = credential.issuer;
  if (typeof issuer === 'string') return issuer;
  const id = (issuer as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** The entries of a W3C Bitstring Status List (VC Bitstring Status List §3.2: multibase base64url of GZIP, MSB first). */
function bitAt(encodedList: string, index: number): boolean {
  if (!encodedList.startsWith('u'))
    throw new CredentialVerificationError('status list not multibase base64url');
  const bytes = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'), {
    maxOutputLength: MAX_STATUS_LIST_BITS / 8,
  });
  const byte = bytes[Math.floor(index / 8)];
  if (byte === undefined) throw new CredentialVerificationError('status index out of range');
  return ((byte >> (7 - (index % 8))) & 1) === 1;
}

/** Each `BitstringStatusListEntry`: its list credential fetched, verified (same trust), and the bit read. */
async function bitstringStatus(
  config: Config,
  trusted: Map<string, string>,
  credential: Record<string, unknown>,
): Promise<{ outcome: CheckOutcome; reasons: string[] }> {
  const raw = credential.credentialStatus;
  const entries = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Record<string, unknown>[];
  if (!entries.length) return { outcome: 'skipped', reasons: [] };
  const reasons: string[] = [];
  for (const entry of entries.slice(0, 4)) {
    try {
      if (entry.type !== 'BitstringStatusListEntry' || typeof entry.statusListCredential !== 'string') {
        throw new CredentialVerificationError('status entry not supported');
      }
      const response = await request(
        'verification',
        requireSecureUrl(config, entry.statusListCredential, 'verification'),
        { headers: { accept: 'application/vc+ld+json, application/vc+jwt, application/json' } },
      );
      if (response.status !== 200) throw new CredentialVerificationError('status list unavailable');
      const list = (response.json as Record<string, unknown> | undefined) ?? response.text.trim();
      const verified = await verifyW3cDocument(config, trusted, list);
      if (verified.issuer !== issuerOf(credential))
        throw new CredentialVerificationError('status list of another issuer');
      const subject = verified.credential.credentialSubject as { encodedList?: unknown } | undefined;
      if (typeof subject?.encodedList !== 'string')
        throw new CredentialVerificationError('status list malformed');
      if (bitAt(subject.encodedList, Number(entry.statusListIndex))) {
        reasons.push(entry.statusPurpose === 'suspension' ? 'suspended' : 'revoked');
      }
    } catch (error) {
      reasons.push(error instanceof CredentialVerificationError ? error.message : 'status list invalid');
    }
  }
  return { outcome: reasons.length ? 'failed' : 'passed', reasons };
}

/** A `jwt_vc_json` (compact JWT) or `ldp_vc` (JSON-LD with a proof), verified with the formats' verifiers. */
export async function verifyW3cDocument(
  config: Config,
  trusted: Map<string, string>,
  input: unknown,
  now?: Date,
): Promise<{ issuer: string; credential: Record<string, unknown>; format: string }> {
  const resolveDid = didResolver(config, trusted);
  if (typeof input === 'string') {
    const verified = await verifyJwtVc(input, { resolveDid, ...(now ? { now } : {}) });
    return { issuer: verified.issuer, credential: verified.credential, format: 'jwt_vc_json' };
  }
  const verified = await verifyLdpVc(input, {
    documentLoader: createDocumentLoader({ resolveDid }),
    ...(now ? { now } : {}),
  });
  return { issuer: verified.issuer, credential: verified.credential, format: 'ldp_vc' };
}

/**
 * The verify page's answer for a W3C credential: the issuer (its DID must be one of the catalogue's
 * issuers), the proof, the validity period and the Bitstring Status List entries.
 */
export async function verifyW3c(
  config: Config,
  issuers: string[],
  text: string,
): Promise<VerificationReport> {
  const jwt = !text.startsWith('{');
  const format = jwt ? 'jwt_vc_json' : 'ldp_vc';
  let input: unknown = text;
  let issuer: string | undefined;
  try {
    if (jwt) {
      const payload = decodeJwt(text);
      const header = decodeProtectedHeader(text);
      issuer =
        issuerOf((payload.vc as Record<string, unknown> | undefined) ?? payload) ??
        String(header.kid ?? '').split('#')[0];
    } else {
      input = JSON.parse(text);
      issuer = issuerOf(input as Record<string, unknown>);
    }
  } catch {
    return report({
      format,
      checks: { signature: 'failed', issuer: 'skipped', validity: 'skipped', status: 'skipped' },
      reasons: ['malformed credential'],
    });
  }
  const trusted = trustedDids(issuers);
  if (!issuer || !trusted.has(issuer)) {
    return report({
      format,
      issuer,
      checks: { signature: 'skipped', issuer: 'failed', validity: 'skipped', status: 'skipped' },
      reasons: ['unknown issuer'],
    });
  }
  let verified: Awaited<ReturnType<typeof verifyW3cDocument>>;
  let validity: CheckOutcome = 'passed';
  const reasons: string[] = [];
  try {
    verified = await verifyW3cDocument(config, trusted, input);
  } catch (error) {
    const reason = error instanceof CredentialVerificationError ? error.message : 'invalid';
    if (!TIME_REASONS.has(reason)) {
      return report({
        format,
        issuer,
        checks: { signature: 'failed', issuer: 'passed', validity: 'skipped', status: 'skipped' },
        reasons: [reason],
      });
    }
    validity = 'failed';
    reasons.push(reason);
    try {
      // The proof held; only the time did not: read it as of a moment it was valid, to show it.
      const from = (input as { validFrom?: unknown; issuanceDate?: unknown }) ?? {};
      const at = typeof from === 'object' ? (from.validFrom ?? from.issuanceDate) : undefined;
      verified = await verifyW3cDocument(
        config,
        trusted,
        input,
        typeof at === 'string' ? new Date(at) : new Date(0),
      );
    } catch {
      return report({
        format,
        issuer,
        checks: { signature: 'failed', issuer: 'passed', validity, status: 'skipped' },
        reasons,
      });
    }
  }
  const status = await bitstringStatus(config, trusted, verified.credential);
  reasons.push(...status.reasons);
  const subject = verified.credential.credentialSubject;
  const claims = (Array.isArray(subject) ? subject[0] : subject) as Record<string, unknown> | undefined;
  return report({
    format: verified.format,
    issuer,
    checks: { signature: 'passed', issuer: 'passed', validity, status: status.outcome },
    reasons,
    claims: claims ? Object.fromEntries(Object.entries(claims).filter(([k]) => k !== 'id')) : undefined,
  });
}
