import { issueMdoc } from '../../credentials/mdoc/issue.js';
import { MDL_DOCTYPE, MDL_NAMESPACE, PLACEHOLDER_PORTRAIT } from '../../credentials/mdoc/mdl.js';
import type { MdocIssuerCertificates } from './certificates.js';
import {
  type CredentialFormat,
  FormatError,
  type FormatSigner,
  type SignerConfiguration,
  type SignInput,
} from './types.js';

/** COSE algorithm identifier of ES256 (RFC 9053), as OpenID4VCI 1.0 Appendix A.2 lists it for mso_mdoc. */
const COSE_ES256 = -7;
const YEAR = 365 * 86_400_000;

/**
 * `mso_mdoc`: an IssuerSigned whose MSO binds the proof key as deviceKey and carries the token
 * status reference, signed by the document signer whose certificate (issued by the issuer's IACA
 * root) travels in the x5chain.
 */
export class MdocSigner implements FormatSigner {
  readonly formats: readonly CredentialFormat[] = ['mso_mdoc'];

  constructor(private readonly certificates: MdocIssuerCertificates) {}

  async sign({ configuration, document, holderJwk, validFrom, validUntil, status }: SignInput) {
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
    try {
      return await issueMdoc({
        docType,
        namespaces,
        signer: this.certificates.signer,
        certificates: [this.certificates.documentSigner],
        holderJwk,
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
  }

  metadata(configuration: SignerConfiguration): Record<string, unknown> {
    return {
      doctype: configuration.doctype,
      cryptographic_binding_methods_supported: ['cose_key'],
      credential_signing_alg_values_supported: [COSE_ES256],
    };
  }
}
