import { type FormatDocument, requireFormat, w3cDataModel } from '../../credentials/formats/index.js';
import { VC_V1_CONTEXT, VC_V2_CONTEXT } from '../../credentials/jsonld/contexts.js';
import type { CredentialConfiguration } from '../configurations/index.js';
import { valueAt } from './compile.js';
import { TemplateError } from './errors.js';

const VC_BASE_CONTEXTS = new Set([VC_V2_CONTEXT, VC_V1_CONTEXT]);

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
  switch (requireFormat(configuration.format).documentKind) {
    case 'sd-jwt':
      return {
        kind: 'sd-jwt',
        claims: rendered,
        disclosable: configuration.claims
          .filter((c) => c.disclosable && valueAt(rendered, c.path) !== undefined)
          .map((c) => c.path),
      };
    case 'w3c': {
      const definition = configuration.credentialDefinition ?? { type: ['VerifiableCredential'] };
      return {
        kind: 'w3c',
        dataModel: w3cDataModel(configuration),
        contexts: (definition['@context'] ?? []).filter((c) => !VC_BASE_CONTEXTS.has(c)),
        types: definition.type.filter((t) => t !== 'VerifiableCredential'),
        credentialSubject: rendered,
      };
    }
    case 'mdoc': {
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
