import {
  issuedTypes,
  unsignedW3cCredential,
  w3cConfigurationProblems,
  w3cDocument,
} from '../../w3c/issue.js';
import { verifiedW3cCredential } from '../../w3c/verified.js';
import { dataModelProblems, foreignMemberProblems } from '../configuration.js';
import { JWT_VC_JSON } from '../jwt-vc-json/id.js';
import { issueJwtVc } from '../jwt-vc-json/issue.js';
import { claimedJoseIssuer, isJoseW3c } from '../jwt-vc-json/jose.js';
import { verifyJwtVc } from '../jwt-vc-json/verify.js';
import {
  type CredentialFormat,
  FormatError,
  type IssueInput,
  type IssuerKeyMaterial,
  type VerifyContext,
} from '../types.js';
import { VC_JWT, VC_JWT_MEDIA_TYPE } from './id.js';

/**
 * `vc+jwt`: VCDM 2.0 secured with JOSE (VC-JOSE-COSE §3.1.1: `typ: vc+jwt`, `cty: vc`, the
 * credential is the payload), with the metadata members of the working group's profile
 * (`credential_definition.type`). Draft 13 has no identifier for it: the draft-13 view leaves it
 * out. Keys, binding and status as `jwt_vc_json`.
 */
export const vcJwt = {
  id: VC_JWT,
  aliases: [],
  dataModels: ['2.0'],
  trust: 'issuer',
  documentKind: 'w3c',
  statusList: 'bitstring-status-list',
  mediaType: VC_JWT_MEDIA_TYPE,
  fileExtension: 'jwt',

  configurationProblems(c) {
    return [
      ...w3cConfigurationProblems(c),
      ...dataModelProblems(c, this, `the VCDM 1.1 JWT encoding is format ${JWT_VC_JSON}`),
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

  detect: (credential) => isJoseW3c(credential, true),

  claimedIssuer: claimedJoseIssuer,

  async issue(input: IssueInput, issuer: IssuerKeyMaterial) {
    const document = w3cDocument(input);
    if (document.dataModel !== '2.0') {
      throw new FormatError(
        `${input.configuration.id}: ${VC_JWT} issues VCDM 2.0; use ${JWT_VC_JSON} for 1.1`,
      );
    }
    return issueJwtVc({
      credential: unsignedW3cCredential(input, issuer.did),
      dataModel: '2.0',
      key: issuer.key,
      kid: `${issuer.did}#${issuer.key.kid}`,
    });
  },

  async verify(credential, context: VerifyContext) {
    const verified = await verifyJwtVc(credential as string, {
      dataModel: '2.0',
      ...(context.resolveDid ? { resolveDid: context.resolveDid } : {}),
      ...(context.expectedIssuer ? { expectedIssuer: context.expectedIssuer } : {}),
      ...(context.now ? { now: context.now } : {}),
    });
    return verifiedW3cCredential(VC_JWT, verified, verified.credential);
  },
} as const satisfies CredentialFormat;
