import { CredentialVerificationError, IssuerKeysUnavailable } from '../../errors.js';
import { tokenStatusClaim } from '../../status/token-status-list.js';
import { foreignMemberProblems } from '../configuration.js';
import {
  type CredentialFormat,
  FormatError,
  type IssueInput,
  type IssuerKeyMaterial,
  type VerifiedCredential,
  type VerifyContext,
} from '../types.js';
import { TECHNICAL_CLAIMS } from './claims.js';
import { SD_JWT_VC, SD_JWT_VC_LEGACY, SD_JWT_VC_MEDIA_TYPE } from './id.js';
import { issueSdJwtVc } from './issue.js';
import { type VerifiedSdJwtVc, verifySdJwtVc } from './verify.js';

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const date = (value: unknown) => (typeof value === 'number' ? new Date(value * 1000) : undefined);

/** An issuer-signed JWT followed by `~` (RFC 9901 §4: `<jwt>~<disclosure>~…~`). */
const SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*~/;

/** `iss` of the issuer-signed JWT, read before its signature is checked (to find the keys). */
export function sdJwtIssuer(credential: string): string | undefined {
  // The same bound as verification's, before any decoding (an SD-JWT of ours is a few KB).
  if (credential.length > 256 * 1024) throw new CredentialVerificationError('not an SD-JWT');
  const payload = credential.split('~')[0]?.split('.')[1] ?? '';
  let iss: unknown;
  try {
    ({ iss } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown });
  } catch {
    throw new CredentialVerificationError('malformed issuer JWT');
  }
  return typeof iss === 'string' ? iss : undefined;
}

async function verifyWithIssuerKeys(credential: string, context: VerifyContext): Promise<VerifiedSdJwtVc> {
  const issuer = sdJwtIssuer(credential);
  if (issuer === undefined) throw new CredentialVerificationError('iss missing');
  if (context.expectedIssuer !== undefined && issuer !== context.expectedIssuer)
    throw new CredentialVerificationError('unexpected issuer', 'issuer');
  if (!context.issuerJwks) throw new CredentialVerificationError('no SD-JWT VC issuer keys');
  const lookup = context.issuerJwks;
  const keys = (refresh: boolean) =>
    lookup(issuer, { refresh }).catch((error: unknown) => {
      throw new IssuerKeysUnavailable(error);
    });
  const verify = async (refresh: boolean) =>
    verifySdJwtVc(credential, {
      issuerJwks: await keys(refresh),
      expectedIssuer: issuer,
      ...(context.now ? { now: context.now } : {}),
    });
  try {
    return await verify(false);
  } catch (error) {
    // A key we have not seen may be a rotation: ask for the issuer's keys again, once.
    const unknownKey =
      error instanceof CredentialVerificationError && error.message === 'no issuer key matches';
    if (!context.refreshIssuerJwks || !unknownKey) throw error;
    return verify(true);
  }
}

/**
 * SD-JWT VC (`dc+sd-jwt`, and `vc+sd-jwt` for wallets that predate the media type change: the same
 * credential with the older `typ`). Claims are disclosable as the template says (members, array
 * elements, whole objects), with the configured number of decoys; `vct#integrity` over the type
 * metadata; `cnf.jwk` from the proof; the IETF Token Status List reference in `status`.
 */
export const sdJwtVc = {
  id: SD_JWT_VC,
  aliases: [SD_JWT_VC_LEGACY],
  draft13Id: SD_JWT_VC_LEGACY,
  trust: 'issuer',
  documentKind: 'sd-jwt',
  statusList: 'token-status-list',
  mediaType: SD_JWT_VC_MEDIA_TYPE,
  fileExtension: 'sd-jwt',

  configurationProblems(c) {
    const problems: string[] = [];
    if (!c.vct) problems.push(`vct: required for ${c.format}`);
    if (c.doctype || c.credentialDefinition)
      problems.push(`${c.format} takes vct, not doctype or credentialDefinition`);
    return [...problems, ...foreignMemberProblems(c, this, false)];
  },

  issuerKey: () => ({ kind: 'issuer', alg: 'ES256' }),

  metadata(c) {
    // Every SD-JWT VC is bound to a JWK in `cnf`, also when the proof names a did:jwk/did:key.
    return {
      vct: c.vct,
      cryptographic_binding_methods_supported: ['jwk'],
      credential_signing_alg_values_supported: [this.issuerKey(c).alg],
    };
  },

  detect: (credential) => typeof credential === 'string' && SHAPE.test(credential.trim()),

  claimedIssuer(credential) {
    try {
      return sdJwtIssuer(String(credential));
    } catch {
      throw new CredentialVerificationError('malformed credential');
    }
  },

  async issue(input: IssueInput, issuer: IssuerKeyMaterial) {
    const { configuration, document, validUntil } = input;
    if (document.kind !== 'sd-jwt')
      throw new FormatError(`${configuration.id}: an SD-JWT VC needs SD-JWT claims`);
    if (!configuration.vct) throw new FormatError(`${configuration.id}: vct is required`);
    const token = input.status?.find((s) => s.kind === 'token-status-list');
    return issueSdJwtVc({
      issuerKey: issuer.key,
      issuer: issuer.issuer,
      vct: configuration.vct,
      ...(input.vctIntegrity ? { vctIntegrity: input.vctIntegrity } : {}),
      claims: document.claims,
      disclosable: document.disclosable,
      ...(configuration.decoys ? { decoys: configuration.decoys } : {}),
      holderJwk: input.holderJwk,
      iat: seconds(input.validFrom),
      ...(validUntil ? { exp: seconds(validUntil) } : {}),
      ...(token ? { status: tokenStatusClaim(token) } : {}),
      typ: configuration.format === SD_JWT_VC_LEGACY ? SD_JWT_VC_LEGACY : SD_JWT_VC,
      ...(issuer.certificates.length ? { x5c: issuer.certificates } : {}),
    });
  },

  async verify(credential, context): Promise<VerifiedCredential> {
    if (typeof credential !== 'string') throw new CredentialVerificationError('not an SD-JWT');
    const verified = await verifyWithIssuerKeys(credential, context);
    const { iss, iat, exp, nbf, cnf, vct, status, ...rest } = verified.claims;
    return {
      format: verified.header.typ === SD_JWT_VC_LEGACY ? SD_JWT_VC_LEGACY : SD_JWT_VC,
      issuer: iss as string,
      ...(typeof vct === 'string' ? { type: vct } : {}),
      claims: { vct, ...rest },
      personalClaims: Object.fromEntries(
        Object.entries(verified.claims).filter(([name]) => !TECHNICAL_CLAIMS.has(name)),
      ),
      disclosed: [
        ...new Set(verified.disclosures.map((d) => d.name).filter((n): n is string => n !== undefined)),
      ],
      ...(date(nbf ?? iat) ? { validFrom: date(nbf ?? iat) } : {}),
      ...(date(exp) ? { validUntil: date(exp) } : {}),
      ...((cnf as { jwk?: unknown } | undefined)?.jwk
        ? { holderJwk: (cnf as { jwk: VerifiedCredential['holderJwk'] }).jwk }
        : {}),
      ...(status !== undefined ? { status } : {}),
    };
  },
} as const satisfies CredentialFormat;
