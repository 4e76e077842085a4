import { randomUUID } from 'node:crypto';
import { didJwkFromJwk } from '../did/index.js';
import {
  type FormatConfigurationFields,
  FormatError,
  type IssueInput,
  type W3cDocument,
} from '../formats/types.js';
import { VC_V1_CONTEXT, VC_V2_CONTEXT } from '../jsonld/contexts.js';
import { type BitstringStatusEntry, buildW3cCredential, type DataModel } from './credential.js';

/** The W3C document of an issue input; a document of another kind is a configuration error. */
export function w3cDocument(input: IssueInput): W3cDocument {
  if (input.document.kind !== 'w3c') {
    throw new FormatError(`${input.configuration.id}: a W3C credential needs a credentialSubject document`);
  }
  return input.document;
}

/**
 * The unsigned credential of a W3C document: issuer = the issuer's did:web, subject id = the holder's
 * did:jwk (the proof key, so a verifier can ask for holder binding), a fresh `urn:uuid` id, the
 * bitstring status entries.
 */
export function unsignedW3cCredential(input: IssueInput, did: string): Record<string, unknown> {
  const document = w3cDocument(input);
  const status: BitstringStatusEntry[] = (input.status ?? []).flatMap((s) =>
    s.kind === 'bitstring-status-list'
      ? [
          {
            ...(s.id ? { id: s.id } : {}),
            statusPurpose: s.statusPurpose,
            statusListIndex: s.statusListIndex,
            statusListCredential: s.statusListCredential,
          },
        ]
      : [],
  );
  return buildW3cCredential({
    dataModel: document.dataModel,
    issuer: did,
    contexts: document.contexts,
    types: document.types,
    credentialSubject: document.credentialSubject,
    subjectId: didJwkFromJwk(input.holderJwk),
    id: document.id ?? `urn:uuid:${randomUUID()}`,
    ...(document.name ? { name: document.name } : {}),
    ...(document.description ? { description: document.description } : {}),
    validFrom: input.validFrom,
    ...(input.validUntil ? { validUntil: input.validUntil } : {}),
    status,
    ...(document.extra ? { extra: document.extra } : {}),
  });
}

/** The `@context` list credentials of this configuration carry (for `credential_definition`). */
export function issuedContexts(configuration: FormatConfigurationFields, dataModel: DataModel): string[] {
  const probe = buildW3cCredential({
    dataModel,
    issuer: 'did:example:x',
    contexts: (configuration.credentialDefinition?.['@context'] ?? []).filter(
      (c) => c !== VC_V2_CONTEXT && c !== VC_V1_CONTEXT,
    ),
    types: [],
    credentialSubject: {},
    validFrom: new Date(0),
    status: [{ statusPurpose: 'revocation', statusListIndex: '0', statusListCredential: 'https://x' }],
  });
  return probe['@context'] as string[];
}

/** `credential_definition.type`: `VerifiableCredential` first, then the configuration's types. */
export function issuedTypes(configuration: FormatConfigurationFields): string[] {
  return [
    'VerifiableCredential',
    ...(configuration.credentialDefinition?.type ?? []).filter((t) => t !== 'VerifiableCredential'),
  ];
}

/**
 * The problems every W3C format sees in a configuration: a credential definition naming
 * `VerifiableCredential`, and no member of the other formats.
 */
export function w3cConfigurationProblems(c: FormatConfigurationFields): string[] {
  const problems: string[] = [];
  const types = c.credentialDefinition?.type ?? [];
  if (!types.includes('VerifiableCredential'))
    problems.push('credentialDefinition.type: must include VerifiableCredential');
  if (c.vct || c.doctype) problems.push(`${c.format} takes credentialDefinition, not vct or doctype`);
  return problems;
}
