import { onFirstUse } from '../../../platform/on-first-use.js';
import { CredentialVerificationError } from '../../errors.js';
import { foreignMemberProblems } from '../configuration.js';
import {
  type CredentialFormat,
  FormatError,
  type IssueInput,
  type IssuerKeyMaterial,
  type VerifiedCredential,
  type VerifyContext,
} from '../types.js';
import { COSE_ES256, MSO_MDOC, MSO_MDOC_MEDIA_TYPE } from './id.js';
import { MDL_DOCTYPE, MDL_NAMESPACE, PLACEHOLDER_PORTRAIT } from './mdl.js';

/**
 * Signing and verifying (@owf/mdoc and its COSE and CBOR code) load with the first mdoc issued or
 * verified, not when a service starts (docs/decisions.md).
 */
const signing = onFirstUse(() => import('./issue.js'));
const verifying = onFirstUse(() => import('./verify.js'));

const YEAR = 365 * 86_400_000;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * `mso_mdoc`: an IssuerSigned whose MSO binds the proof key as deviceKey and carries the token
 * status reference, signed by the document signer whose certificate (issued by the issuer's IACA
 * root) travels in the x5chain.
 */
export const msoMdoc = {
  id: MSO_MDOC,
  aliases: [],
  draft13Id: MSO_MDOC,
  trust: 'certificate-chain',
  documentKind: 'mdoc',
  statusList: 'token-status-list',
  mediaType: MSO_MDOC_MEDIA_TYPE,
  fileExtension: 'mdoc',

  configurationProblems(c) {
    const problems: string[] = [];
    if (!c.doctype) problems.push('doctype: required for mso_mdoc');
    if (c.vct || c.credentialDefinition)
      problems.push('mso_mdoc takes doctype, not vct or credentialDefinition');
    if (c.signingAlg === 'EdDSA')
      problems.push('signingAlg: mso_mdoc is signed with ES256 here (ISO 18013-5 issuer keys are ECDSA)');
    return [...problems, ...foreignMemberProblems(c, this, false)];
  },

  issuerKey: () => ({ kind: 'x509', alg: 'ES256' }),

  metadata: (c) => ({
    doctype: c.doctype,
    cryptographic_binding_methods_supported: ['cose_key'],
    credential_signing_alg_values_supported: [COSE_ES256],
  }),

  detect: (credential) => typeof credential === 'string' && BASE64URL.test(credential.trim()),

  /** An mdoc names no issuer: the chain of its document-signer certificate to a trusted root does. */
  claimedIssuer: () => undefined,

  async issue(input: IssueInput, issuer: IssuerKeyMaterial) {
    const { configuration, document, validFrom, validUntil, status } = input;
    if (document.kind !== 'mdoc') throw new FormatError(`${configuration.id}: an mdoc needs namespaces`);
    const docType = configuration.doctype ?? document.docType;
    let namespaces = document.namespaces;
    const mdl = namespaces[MDL_NAMESPACE];
    if (docType === MDL_DOCTYPE && mdl && mdl.portrait === undefined) {
      // `portrait` is mandatory; a registry without photographs gets the neutral placeholder
      // (docs/formats.md) rather than no credential at all. A deployment maps its own images.
      namespaces = { ...namespaces, [MDL_NAMESPACE]: { ...mdl, portrait: PLACEHOLDER_PORTRAIT } };
    }
    const token = status?.find((s) => s.kind === 'token-status-list');
    const { issueMdoc } = await signing();
    try {
      return await issueMdoc({
        docType,
        namespaces,
        signer: issuer.key,
        certificates: issuer.certificates,
        holderJwk: input.holderJwk,
        validFrom,
        validUntil: validUntil ?? new Date(validFrom.getTime() + YEAR),
        signed: validFrom,
        ...(token ? { status: { idx: token.idx, uri: token.uri } } : {}),
      });
    } catch (error) {
      if ((error as Error).message.startsWith('issueMdoc:')) {
        throw new FormatError(`${configuration.id}: ${(error as Error).message.slice('issueMdoc: '.length)}`);
      }
      throw error;
    }
  },

  async verify(credential, context: VerifyContext): Promise<VerifiedCredential> {
    const trustedCertificates = (await context.trustedCertificates?.()) ?? [];
    if (trustedCertificates.length === 0)
      throw new CredentialVerificationError('no trusted IACA certificates', 'issuer');
    const { verifyMdoc } = await verifying();
    const verified = await verifyMdoc(credential as string, {
      trustedCertificates,
      ...(context.now ? { now: context.now } : {}),
    });
    const elements = Object.assign({}, ...Object.values(verified.namespaces)) as Record<string, unknown>;
    return {
      format: MSO_MDOC,
      type: verified.docType,
      claims: verified.namespaces,
      personalClaims: elements,
      disclosed: [],
      validFrom: verified.validFrom,
      validUntil: verified.validUntil,
      holderJwk: verified.deviceJwk,
      ...(verified.status ? { status: verified.status } : {}),
    };
  },
} as const satisfies CredentialFormat;
