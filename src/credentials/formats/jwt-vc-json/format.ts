import {
  issuedTypes,
  unsignedW3cCredential,
  w3cConfigurationProblems,
  w3cDocument,
} from '../../w3c/issue.js';
import { verifiedW3cCredential } from '../../w3c/verified.js';
import { dataModelProblems, foreignMemberProblems } from '../configuration.js';
import {
  type CredentialFormat,
  FormatError,
  type IssueInput,
  type IssuerKeyMaterial,
  type VerifyContext,
} from '../types.js';
import { VC_JWT } from '../vc-jwt/id.js';
import { JWT_VC_JSON, JWT_VC_MEDIA_TYPE } from './id.js';
import { issueJwtVc } from './issue.js';
import { claimedJoseIssuer, isJoseW3c } from './jose.js';
import { verifyJwtVc } from './verify.js';

/**
 * `jwt_vc_json`: the VCDM 1.1 JWT encoding (VCDM 1.1 §6.3.1), the only data model OpenID4VCI 1.0
 * Appendix A.1.1 (and draft 13's) gives it; VCDM 2.0 with JOSE is `vc+jwt` (docs/formats.md).
 * ES256 or EdDSA, `kid` the did:web DID URL of the key; W3C Bitstring Status List entries in
 * `credentialStatus`.
 */
export const jwtVcJson = {
  id: JWT_VC_JSON,
  aliases: [],
  draft13Id: JWT_VC_JSON,
  dataModels: ['1.1'],
  trust: 'issuer',
  documentKind: 'w3c',
  statusList: 'bitstring-status-list',
  mediaType: JWT_VC_MEDIA_TYPE,
  fileExtension: 'jwt',

  configurationProblems(c) {
    return [
      ...w3cConfigurationProblems(c),
      ...dataModelProblems(c, this, `VCDM 2.0 secured with JOSE is format ${VC_JWT}`),
      ...foreignMemberProblems(c, this, false),
    ];
  },

  issuerKey: (c) => ({ kind: 'did', alg: c.signingAlg ?? 'ES256' }),

  metadata(c) {
    return {
      credential_definition: { type: issuedTypes(c) },
      cryptographic_binding_methods_supported: ['did:jwk'],
      credential_signing_alg_values_supported: [this.issuerKey(c).alg],
    };
  },

  detect: (credential) => isJoseW3c(credential, false),

  claimedIssuer: claimedJoseIssuer,

  async issue(input: IssueInput, issuer: IssuerKeyMaterial) {
    const document = w3cDocument(input);
    if (document.dataModel !== '1.1') {
      throw new FormatError(
        `${input.configuration.id}: ${JWT_VC_JSON} issues VCDM 1.1; use ${VC_JWT} for 2.0`,
      );
    }
    return issueJwtVc({
      credential: unsignedW3cCredential(input, issuer.did),
      dataModel: '1.1',
      key: issuer.key,
      kid: `${issuer.did}#${issuer.key.kid}`,
    });
  },

  async verify(credential, context: VerifyContext) {
    const verified = await verifyJwtVc(credential as string, {
      dataModel: '1.1',
      ...(context.resolveDid ? { resolveDid: context.resolveDid } : {}),
      ...(context.expectedIssuer ? { expectedIssuer: context.expectedIssuer } : {}),
      ...(context.now ? { now: context.now } : {}),
    });
    return verifiedW3cCredential(JWT_VC_JSON, verified, verified.credential);
  },
} as const satisfies CredentialFormat;
