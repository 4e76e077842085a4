import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { didWebFromUrl } from '../../credentials/did/index.js';
import { FORMATS } from '../../credentials/formats/index.js';
import { migrateToLatest } from '../../platform/db/index.js';
import type { KeyStore } from '../../platform/keys/index.js';
import type { CredentialConfigurationSource } from '../issuance/index.js';
import {
  FORMATS_MIGRATION_SET,
  type FormatTables,
  formatMigrations,
  MdocCertificates,
} from './certificates.js';
import { ActiveKeys, W3C_KEY_PURPOSE } from './keys.js';
import { registerFormatRoutes } from './routes.js';
import { IssuerFormatSigner } from './signer.js';
import type { CredentialFormat, FormatSigner, FormatSignerRegistry, SignerConfiguration } from './types.js';
import { FormatError } from './types.js';

export { DID_DOCUMENT_PATH, IACA_PATH, issuerDidDocument, TYPE_METADATA_PATH } from './routes.js';
export * from './types.js';

/** Signers by format. */
export class FormatSigners implements FormatSignerRegistry {
  private readonly byFormat = new Map<CredentialFormat, FormatSigner>();

  constructor(signers: FormatSigner[]) {
    for (const signer of signers) for (const format of signer.formats) this.byFormat.set(format, signer);
  }

  get(format: CredentialFormat): FormatSigner {
    const signer = this.byFormat.get(format);
    if (!signer) throw new FormatError(`no signer for format ${format}`);
    return signer;
  }

  formats(): CredentialFormat[] {
    return [...this.byFormat.keys()];
  }

  /** A configuration's format members of the issuer metadata (`ProtocolDeps.formatMetadata`). */
  readonly metadata = (configuration: SignerConfiguration): Record<string, unknown> =>
    this.get(configuration.format).metadata(configuration);
}

export interface IssuerFormats {
  signers: FormatSigners;
  /** `did:web` of the issuer (its W3C credentials' `issuer`). */
  did: string;
  /** The IACA root at start-up (`/mdoc/iaca.pem` serves every root in use, read on request). */
  iaca: Buffer;
  registerRoutes(app: FastifyInstance, configurations: CredentialConfigurationSource): void;
}

export interface IssuerFormatsOptions {
  db: Kysely<unknown>;
  keys: KeyStore;
  publicUrl: string;
  /** Country (ISO 3166-1 alpha-2) and organisation in the IACA and document-signer certificates. */
  country?: string;
  organization?: string;
}

/**
 * The issuer side of the formats, set up at start: W3C keys of both algorithms (so the DID document
 * is complete before the first credential), the IACA root and document signer (first start creates
 * them), and the signers. Routes: /.well-known/did.json, /mdoc/iaca.pem, /type-metadata/:id, and
 * each SD-JWT `vct` that is a URL of this issuer.
 */
export async function setupIssuerFormats(options: IssuerFormatsOptions): Promise<IssuerFormats> {
  await migrateToLatest(options.db, FORMATS_MIGRATION_SET, formatMigrations);
  const did = didWebFromUrl(options.publicUrl);
  await options.keys.ensureActive(W3C_KEY_PURPOSE.EdDSA, 'EdDSA');
  await options.keys.ensureActive(W3C_KEY_PURPOSE.ES256, 'ES256');
  const certificates = new MdocCertificates(options.db as Kysely<FormatTables>, options.keys, {
    country: options.country ?? 'XA',
    organization: options.organization ?? 'Attesta',
    issuerUrl: options.publicUrl,
  });
  // First start makes the demo chain; a start with an imported CA chain checks it is usable.
  await certificates.signer();
  const [iaca] = await certificates.roots();
  if (!iaca) throw new Error('mdoc: no IACA root');
  const source = { keys: new ActiveKeys(options.keys), issuer: options.publicUrl, did, certificates };
  const signers = new FormatSigners(FORMATS.map((format) => new IssuerFormatSigner(format, source)));
  return {
    signers,
    did,
    iaca,
    registerRoutes: (app, configurations) =>
      registerFormatRoutes(app, {
        did,
        issuer: options.publicUrl,
        keys: options.keys,
        iacaRoots: () => certificates.roots(),
        configurations,
      }),
  };
}
