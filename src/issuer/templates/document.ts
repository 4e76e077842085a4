import type { CredentialConfiguration } from '../configurations/index.js';
import type { FormatDocument } from '../formats/types.js';
import { valueAt } from './compile.js';
import { TemplateError } from './errors.js';

const VC_BASE_CONTEXTS = new Set([
  'https://www.w3.org/ns/credentials/v2',
  'https://www.w3.org/2018/credentials/v1',
]);

/**
 * The per-format document of a rendered template: SD-JWT claims with the disclosable paths the
 * configuration marks, the W3C `credentialSubject` with types and contexts from the credential
 * definition, or mdoc namespaces → elements.
 */
export function toDocument(
  configuration: CredentialConfiguration,
  rendered: Record<string, unknown>,
): FormatDocument {
  const name = configuration.template?.name ?? '(none)';
  switch (configuration.format) {
    case 'dc+sd-jwt':
    case 'vc+sd-jwt':
      return {
        kind: 'sd-jwt',
        claims: rendered,
        disclosable: configuration.claims
          .filter((c) => c.disclosable && valueAt(rendered, c.path) !== undefined)
          .map((c) => c.path),
      };
    case 'jwt_vc_json':
    case 'ldp_vc': {
      const definition = configuration.credentialDefinition ?? { type: ['VerifiableCredential'] };
      return {
        kind: 'w3c',
        dataModel: configuration.dataModel ?? '2.0',
        contexts: (definition['@context'] ?? []).filter((c) => !VC_BASE_CONTEXTS.has(c)),
        types: definition.type.filter((t) => t !== 'VerifiableCredential'),
        credentialSubject: rendered,
      };
    }
    case 'mso_mdoc': {
      for (const [namespace, elements] of Object.entries(rendered)) {
        if (typeof elements !== 'object' || elements === null || Array.isArray(elements)) {
          throw new TemplateError(
            configuration.id,
            name,
            namespace,
            'an mdoc template maps namespaces to elements',
          );
        }
      }
      return {
        kind: 'mdoc',
        docType: configuration.doctype ?? '',
        namespaces: rendered as Record<string, Record<string, unknown>>,
      };
    }
  }
}
