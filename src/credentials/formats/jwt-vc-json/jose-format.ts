import {
  issuedTypes,
  unsignedW3cCredential,
  w3cConfigurationProblems,
  w3cDocument,
} from '../../w3c/issue.js';
import { verifiedW3cCredential } from '../../w3c/verified.js';
import { dataModelProblems, foreignMemberProblems } from '../configuration.js';
import type { CredentialFormatId } from '../ids.js';
import {
  type CredentialFormat,
  FormatError,
  type IssueInput,
  type IssuerKeyMaterial,
  type VerifyContext,
  type W3cDataModel,
} from '../types.js';
import { issueJwtVc } from './issue.js';
import { claimedJoseIssuer, isJoseW3c } from './jose.js';
import { verifyJwtVc } from './verify.js';

/** What tells the two JOSE-secured W3C formats apart: their identifier and the one data model each takes. */
export interface JoseW3cFormatSpec {
  id: CredentialFormatId;
  /** Draft 13's identifier; absent where draft 13 has none. */
  draft13Id?: CredentialFormatId;
  dataModel: W3cDataModel;
  mediaType: string;
  /** The format that takes the other data model, named in the refusals of a configuration. */
  other: { id: CredentialFormatId; dataModel: W3cDataModel; description: string };
}

/**
 * A W3C credential secured as a JWS: `jwt_vc_json` (VCDM 1.1 JWT encoding) and `vc+jwt` (VCDM 2.0,
 * VC-JOSE-COSE §3.1.1) differ only in their data model, which fixes the payload's shape and `typ`.
 * ES256 or EdDSA, `kid` the did:web DID URL of the key; Bitstring Status List entries.
 */
export function joseW3cFormat(spec: JoseW3cFormatSpec): CredentialFormat {
  const format: CredentialFormat = {
    id: spec.id,
    aliases: [],
    ...(spec.draft13Id ? { draft13Id: spec.draft13Id } : {}),
    dataModels: [spec.dataModel],
    trust: 'issuer',
    documentKind: 'w3c',
    statusList: 'bitstring-status-list',
    mediaType: spec.mediaType,
    fileExtension: 'jwt',

    configurationProblems: (c) => [
      ...w3cConfigurationProblems(c),
      ...dataModelProblems(c, format, `${spec.other.description} is format ${spec.other.id}`),
      ...foreignMemberProblems(c, format, false),
    ],

    issuerKey: (c) => ({ kind: 'did', alg: c.signingAlg ?? 'ES256' }),

    metadata: (c) => ({
      credential_definition: { type: issuedTypes(c) },
      cryptographic_binding_methods_supported: ['did:jwk'],
      credential_signing_alg_values_supported: [format.issuerKey(c).alg],
    }),

    detect: (credential) => isJoseW3c(credential, spec.dataModel === '2.0'),

    claimedIssuer: claimedJoseIssuer,

    async issue(input: IssueInput, issuer: IssuerKeyMaterial) {
      if (w3cDocument(input).dataModel !== spec.dataModel) {
        throw new FormatError(
          `${input.configuration.id}: ${spec.id} issues VCDM ${spec.dataModel}; use ${spec.other.id} for ${spec.other.dataModel}`,
        );
      }
      return issueJwtVc({
        credential: unsignedW3cCredential(input, issuer.did),
        dataModel: spec.dataModel,
        key: issuer.key,
        kid: `${issuer.did}#${issuer.key.kid}`,
      });
    },

    async verify(credential, context: VerifyContext) {
      const verified = await verifyJwtVc(credential as string, {
        dataModel: spec.dataModel,
        ...(context.resolveDid ? { resolveDid: context.resolveDid } : {}),
        ...(context.expectedIssuer ? { expectedIssuer: context.expectedIssuer } : {}),
        ...(context.now ? { now: context.now } : {}),
      });
      return verifiedW3cCredential(spec.id, verified, verified.credential);
    },
  };
  return format;
}
