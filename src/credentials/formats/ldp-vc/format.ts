import { type ProofSuite, SUITE_ALGORITHM } from '../../data-integrity/suite-names.js';
import { CredentialVerificationError } from '../../errors.js';
import {
  issuedContexts,
  issuedTypes,
  unsignedW3cCredential,
  w3cConfigurationProblems,
} from '../../w3c/issue.js';
import { verifiedW3cCredential, w3cIssuerOf } from '../../w3c/verified.js';
import { dataModelOf, foreignMemberProblems } from '../configuration.js';
import type {
  CredentialFormat,
  FormatConfigurationFields,
  IssueInput,
  IssuerKeyMaterial,
  VerifyContext,
} from '../types.js';
import { LDP_VC, LDP_VC_MEDIA_TYPE } from './id.js';
import { ldpSigning, ldpVerifying } from './on-first-use.js';

const suiteOf = (c: FormatConfigurationFields): ProofSuite => c.proofSuite ?? 'eddsa-rdfc-2022';

/**
 * `ldp_vc`: VCDM 2.0 or 1.1 with a Data Integrity proof (eddsa-rdfc-2022 by default,
 * ecdsa-rdfc-2019, eddsa-jcs-2022) or Ed25519Signature2020. The proof's `created` is the rounded
 * issuance time, like the credential's own times (RFC 9901 §10.1's unlinkability reasoning); the
 * W3C Bitstring Status List entries in `credentialStatus`.
 */
export const ldpVc = {
  id: LDP_VC,
  aliases: [],
  draft13Id: LDP_VC,
  dataModels: ['2.0', '1.1'],
  trust: 'issuer',
  documentKind: 'w3c',
  statusList: 'bitstring-status-list',
  mediaType: LDP_VC_MEDIA_TYPE,
  fileExtension: 'jsonld',

  configurationProblems(c) {
    const problems = w3cConfigurationProblems(c);
    if (!c.credentialDefinition?.['@context'])
      problems.push('credentialDefinition.@context: required for ldp_vc');
    // Suite, algorithm and key must agree: EdDSA suites sign with an Ed25519 key, ECDSA with P-256.
    if (c.proofSuite) {
      const needs = SUITE_ALGORITHM[c.proofSuite];
      if (c.signingAlg && c.signingAlg !== needs)
        problems.push(`signingAlg: ${c.proofSuite} signs with ${needs}, not ${c.signingAlg}`);
    }
    if (c.proofSuite === 'Ed25519Signature2020' && c.dataModel === '2.0')
      problems.push('proofSuite: Ed25519Signature2020 goes with data model 1.1');
    return [...problems, ...foreignMemberProblems(c, this, true)];
  },

  issuerKey: (c) => ({ kind: 'did', alg: SUITE_ALGORITHM[suiteOf(c)] }),

  metadata(c) {
    return {
      credential_definition: { '@context': issuedContexts(c, dataModelOf(c, this)), type: issuedTypes(c) },
      cryptographic_binding_methods_supported: ['did:jwk'],
      credential_signing_alg_values_supported: [suiteOf(c)],
    };
  },

  detect: (credential) => typeof credential === 'object' && credential !== null && 'proof' in credential,

  claimedIssuer(credential) {
    if (typeof credential !== 'object' || credential === null)
      throw new CredentialVerificationError('malformed credential');
    return w3cIssuerOf(credential);
  },

  async issue(input: IssueInput, issuer: IssuerKeyMaterial) {
    const { issueLdpVc, loader } = await ldpSigning();
    return issueLdpVc({
      credential: unsignedW3cCredential(input, issuer.did),
      suite: suiteOf(input.configuration),
      key: issuer.key,
      verificationMethod: `${issuer.did}#${issuer.key.kid}`,
      documentLoader: loader,
      created: input.validFrom,
    });
  },

  async verify(credential, context: VerifyContext) {
    const { verifyLdpVc, createDocumentLoader } = await ldpVerifying();
    const documentLoader = createDocumentLoader({
      ...(context.resolveDid ? { resolveDid: context.resolveDid } : {}),
      ...(context.contexts ? { contexts: context.contexts } : {}),
    });
    const verified = await verifyLdpVc(credential, {
      documentLoader,
      ...(context.expectedIssuer ? { expectedIssuer: context.expectedIssuer } : {}),
      ...(context.now ? { now: context.now } : {}),
    });
    return verifiedW3cCredential(LDP_VC, verified, verified.credential);
  },
} as const satisfies CredentialFormat;
