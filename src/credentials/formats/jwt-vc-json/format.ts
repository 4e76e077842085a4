import { CredentialVerificationError } from '../../errors.js';
import {
  issuedTypes,
  unsignedW3cCredential,
  w3cConfigurationProblems,
  w3cDocument,
} from '../../w3c/issue.js';
import { verifiedW3cCredential, w3cIssuerOf } from '../../w3c/verified.js';
import { foreignMemberProblems } from '../configuration.js';
import type { CredentialFormat, IssueInput, IssuerKeyMaterial, VerifyContext } from '../types.js';
import { JWT_VC_JSON, JWT_VC_MEDIA_TYPE } from './id.js';
import { issueJwtVc } from './issue.js';
import { verifyJwtVc } from './verify.js';

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function decodePart(part: string | undefined): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return value as Record<string, unknown>;
}

/**
 * `jwt_vc_json`: the VCDM 1.1 JWT encoding or VCDM 2.0 secured with JOSE (`vc+jwt`), ES256 or EdDSA,
 * `kid` the did:web DID URL of the key; the W3C Bitstring Status List entries in `credentialStatus`.
 */
export const jwtVcJson = {
  id: JWT_VC_JSON,
  aliases: [],
  draft13Id: JWT_VC_JSON,
  trust: 'issuer',
  documentKind: 'w3c',
  statusList: 'bitstring-status-list',
  mediaType: JWT_VC_MEDIA_TYPE,
  fileExtension: 'jwt',

  configurationProblems(c) {
    return [...w3cConfigurationProblems(c), ...foreignMemberProblems(c, this, false)];
  },

  issuerKey: (c) => ({ kind: 'did', alg: c.signingAlg ?? 'ES256' }),

  metadata(c) {
    return {
      credential_definition: { type: issuedTypes(c) },
      cryptographic_binding_methods_supported: ['did:jwk'],
      credential_signing_alg_values_supported: [this.issuerKey(c).alg],
    };
  },

  detect: (credential) => typeof credential === 'string' && COMPACT_JWS.test(credential.trim()),

  claimedIssuer(credential) {
    try {
      if (String(credential).length > 256 * 1024) throw new Error('too large');
      const [header, payload] = String(credential).split('.');
      const claims = decodePart(payload);
      const kid = decodePart(header).kid;
      return (
        w3cIssuerOf((claims.vc as Record<string, unknown> | undefined) ?? claims) ??
        (typeof kid === 'string' ? kid.split('#')[0] : undefined)
      );
    } catch {
      throw new CredentialVerificationError('malformed credential');
    }
  },

  async issue(input: IssueInput, issuer: IssuerKeyMaterial) {
    const document = w3cDocument(input);
    return issueJwtVc({
      credential: unsignedW3cCredential(input, issuer.did),
      dataModel: document.dataModel,
      key: issuer.key,
      kid: `${issuer.did}#${issuer.key.kid}`,
    });
  },

  async verify(credential, context: VerifyContext) {
    const verified = await verifyJwtVc(credential as string, {
      ...(context.resolveDid ? { resolveDid: context.resolveDid } : {}),
      ...(context.expectedIssuer ? { expectedIssuer: context.expectedIssuer } : {}),
      ...(context.now ? { now: context.now } : {}),
    });
    return verifiedW3cCredential(JWT_VC_JSON, verified, verified.credential);
  },
} as const satisfies CredentialFormat;
