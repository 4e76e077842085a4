import { randomUUID } from 'node:crypto';
import { issueLdpVc } from '../../credentials/data-integrity/issue.js';
import { type ProofSuite, SUITE_ALGORITHM } from '../../credentials/data-integrity/suites.js';
import { didJwkFromJwk } from '../../credentials/did/index.js';
import { VC_V1_CONTEXT, VC_V2_CONTEXT } from '../../credentials/jsonld/contexts.js';
import { createDocumentLoader } from '../../credentials/jsonld/document-loader.js';
import { issueJwtVc } from '../../credentials/jwt-vc/issue.js';
import { type BitstringStatusEntry, buildW3cCredential } from '../../credentials/w3c/credential.js';
import { type ActiveKeys, W3C_KEY_PURPOSE } from './keys.js';
import {
  type CredentialFormat,
  FormatError,
  type FormatSigner,
  type SignerConfiguration,
  type SignInput,
  type W3cDocument,
} from './types.js';

/** Issuance needs contexts only (the proof's verification method is not dereferenced). */
const loader = createDocumentLoader();

/**
 * The unsigned credential of a W3C document: issuer = the issuer's did:web, subject id = the holder's
 * did:jwk (the proof key, so a verifier can ask for holder binding), a fresh `urn:uuid` id, the
 * bitstring status entries.
 */
function unsignedCredential(did: string, input: SignInput, document: W3cDocument): Record<string, unknown> {
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

function w3cDocument(input: SignInput): W3cDocument {
  if (input.document.kind !== 'w3c') {
    throw new FormatError(`${input.configuration.id}: a W3C credential needs a credentialSubject document`);
  }
  return input.document;
}

/** The `@context` list credentials of this configuration carry (for `credential_definition`). */
function issuedContexts(configuration: SignerConfiguration): string[] {
  const probe = buildW3cCredential({
    dataModel: configuration.dataModel ?? '2.0',
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

/**
 * `ldp_vc`: VCDM 2.0 or 1.1 with a Data Integrity proof (eddsa-rdfc-2022 by default,
 * ecdsa-rdfc-2019, eddsa-jcs-2022) or Ed25519Signature2020. The proof's `created` is the rounded
 * issuance time, like the credential's own times (RFC 9901 §10.1's unlinkability reasoning).
 */
export class LdpVcSigner implements FormatSigner {
  readonly formats: readonly CredentialFormat[] = ['ldp_vc'];

  constructor(
    private readonly keys: ActiveKeys,
    private readonly did: string,
  ) {}

  async sign(input: SignInput) {
    const document = w3cDocument(input);
    const suite: ProofSuite = input.configuration.proofSuite ?? 'eddsa-rdfc-2022';
    const alg = SUITE_ALGORITHM[suite];
    const key = await this.keys.get(W3C_KEY_PURPOSE[alg], alg);
    return issueLdpVc({
      credential: unsignedCredential(this.did, input, document),
      suite,
      key,
      verificationMethod: `${this.did}#${key.kid}`,
      documentLoader: loader,
      created: input.validFrom,
    });
  }

  metadata(configuration: SignerConfiguration): Record<string, unknown> {
    return {
      credential_definition: {
        '@context': issuedContexts(configuration),
        type: [
          'VerifiableCredential',
          ...(configuration.credentialDefinition?.type ?? []).filter((t) => t !== 'VerifiableCredential'),
        ],
      },
      cryptographic_binding_methods_supported: ['did:jwk'],
      credential_signing_alg_values_supported: [configuration.proofSuite ?? 'eddsa-rdfc-2022'],
    };
  }
}

/** `jwt_vc_json`: VCDM 1.1 JWT encoding or VCDM 2.0 secured with JOSE (`vc+jwt`), ES256 or EdDSA. */
export class JwtVcSigner implements FormatSigner {
  readonly formats: readonly CredentialFormat[] = ['jwt_vc_json'];

  constructor(
    private readonly keys: ActiveKeys,
    private readonly did: string,
  ) {}

  async sign(input: SignInput) {
    const document = w3cDocument(input);
    const alg = input.configuration.signingAlg ?? 'ES256';
    const key = await this.keys.get(W3C_KEY_PURPOSE[alg], alg);
    return issueJwtVc({
      credential: unsignedCredential(this.did, input, document),
      dataModel: document.dataModel,
      key,
      kid: `${this.did}#${key.kid}`,
    });
  }

  metadata(configuration: SignerConfiguration): Record<string, unknown> {
    return {
      credential_definition: {
        type: [
          'VerifiableCredential',
          ...(configuration.credentialDefinition?.type ?? []).filter((t) => t !== 'VerifiableCredential'),
        ],
      },
      cryptographic_binding_methods_supported: ['did:jwk'],
      credential_signing_alg_values_supported: [configuration.signingAlg ?? 'ES256'],
    };
  }
}
