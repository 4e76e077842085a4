import type { FastifyInstance, FastifyReply } from 'fastify';
import { buildDidWebDocument } from '../../credentials/did/index.js';
import { requireFormat } from '../../credentials/formats/index.js';
import type { KeyStore } from '../../platform/keys/index.js';
import { derToPem } from '../../platform/keys/x509/index.js';
import type { CredentialConfiguration } from '../configurations/index.js';
import type { CredentialConfigurationSource } from '../issuance/index.js';
import { DID_KEY_PURPOSES } from './keys.js';
import { typeMetadataOf, typeMetadataText } from './type-metadata.js';

export const DID_DOCUMENT_PATH = '/.well-known/did.json';
export const IACA_PATH = '/mdoc/iaca.pem';
export const TYPE_METADATA_PATH = '/type-metadata';
/** Where the demo `vct` URLs live (`{credential_issuer}/types/<name>`). */
export const TYPES_PATH = '/types';

/**
 * The issuer's DID document (did:web §3.2.2): every published key of the DID-verified purposes —
 * pending (a rotation's lead time), signing, and retired while what it signed is valid — so a
 * credential signed before a rotation still verifies (docs/keys.md). Read on each request, as
 * another instance may have rotated a key in.
 */
export async function issuerDidDocument(did: string, keys: KeyStore): Promise<Record<string, unknown>> {
  const all = (await Promise.all(DID_KEY_PURPOSES.map((purpose) => keys.published(purpose)))).flat();
  return buildDidWebDocument(
    did,
    all.map((key) => ({ jwk: key.publicJwk })),
  );
}

export function registerFormatRoutes(
  app: FastifyInstance,
  deps: {
    did: string;
    /** The credential issuer identifier: a `vct` under it is served here. */
    issuer: string;
    keys: KeyStore;
    /** The IACA roots to trust (a rotated root appears beside the current one). */
    iacaRoots: () => Promise<Buffer[]>;
    configurations: CredentialConfigurationSource;
  },
): void {
  app.get(DID_DOCUMENT_PATH, async (_request, reply) =>
    reply
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'public, max-age=60')
      .type('application/did+json')
      .send(JSON.stringify(await issuerDidDocument(deps.did, deps.keys))),
  );

  // The IACA roots: verifiers of our mdocs configure them as trust anchors (ISO/IEC 18013-5 §9.3.3).
  // Read on request (a minute's cache): a root rotated or imported by any instance shows up here.
  let roots: { at: number; pem: Promise<string> } | undefined;
  app.get(IACA_PATH, async (_request, reply) => {
    if (!roots || Date.now() - roots.at > 60_000) {
      roots = { at: Date.now(), pem: deps.iacaRoots().then((ders) => ders.map(derToPem).join('')) };
    }
    return reply
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'public, max-age=3600')
      .type('application/x-pem-file')
      .send(await roots.pem);
  });

  const sendTypeMetadata = (reply: FastifyReply, configuration: CredentialConfiguration | undefined) => {
    const typeMetadata =
      configuration && requireFormat(configuration.format).documentKind === 'sd-jwt'
        ? typeMetadataOf(configuration)
        : undefined;
    if (!typeMetadata) {
      return reply.status(404).send({ error: 'not_found', error_description: 'no type metadata' });
    }
    return reply
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'public, max-age=300')
      .type('application/json')
      .send(typeMetadataText(typeMetadata));
  };

  // A `vct` that is a URL of this issuer resolves to its Type Metadata (SD-JWT VC §6.3.1): the same
  // bytes as /type-metadata/<id>, so `vct#integrity` holds for either address.
  app.get(`${TYPES_PATH}/*`, async (request, reply) => {
    const vct = `${deps.issuer}${request.url.split('?')[0]}`;
    const configurations = await deps.configurations.list();
    const configuration = configurations.find(
      (c) => c.vct === vct && requireFormat(c.format).documentKind === 'sd-jwt',
    );
    return sendTypeMetadata(reply, configuration);
  });

  // SD-JWT VC Type Metadata of a configuration, byte for byte what `vct#integrity` hashes.
  app.get<{ Params: { id: string } }>(
    `${TYPE_METADATA_PATH}/:id`,
    { schema: { params: { type: 'object', properties: { id: { type: 'string', maxLength: 200 } } } } },
    async (request, reply) => sendTypeMetadata(reply, await deps.configurations.get(request.params.id)),
  );
}
