import type {
  CredentialFormat,
  IssuerKeyChoice,
  IssuerKeyMaterial,
} from '../../credentials/formats/index.js';
import { integrityOf } from '../../credentials/formats/sd-jwt-vc/index.js';
import type { MdocIssuerCertificates } from './certificates.js';
import { type ActiveKeys, SD_JWT_KEY_PURPOSE, W3C_KEY_PURPOSE } from './keys.js';
import { typeMetadataOf, typeMetadataText } from './type-metadata.js';
import type { FormatSigner, SignerConfiguration, SignInput } from './types.js';

/** Where the issuer's keys come from: the KeyStore per purpose, the mdoc certificates, its identifiers. */
export interface IssuerKeySource {
  keys: ActiveKeys;
  /** The credential issuer identifier (URL). */
  issuer: string;
  /** The issuer's did:web. */
  did: string;
  certificates: MdocIssuerCertificates;
}

/**
 * The key material a format asks for: the SD-JWT VC key for keys found through the issuer's
 * metadata, the W3C key of the algorithm for did:web, the document signer and its certificate for
 * a chain to the IACA.
 */
async function keyMaterial(source: IssuerKeySource, choice: IssuerKeyChoice): Promise<IssuerKeyMaterial> {
  const { issuer, did } = source;
  if (choice.kind === 'x509') {
    const { signer, documentSigner } = source.certificates;
    return { key: signer, issuer, did, certificates: [documentSigner] };
  }
  const purpose = choice.kind === 'did' ? W3C_KEY_PURPOSE[choice.alg] : SD_JWT_KEY_PURPOSE;
  return { key: await source.keys.get(purpose, choice.alg), issuer, did, certificates: [] };
}

/**
 * Signs one format with the issuer's keys: the format says which key and how; the signer fetches
 * the key and the configuration's type metadata integrity (SD-JWT VC §6.5), when it has type metadata.
 */
export class IssuerFormatSigner implements FormatSigner {
  readonly formats: readonly CredentialFormat['id'][];

  constructor(
    private readonly format: CredentialFormat,
    private readonly source: IssuerKeySource,
  ) {
    this.formats = [format.id, ...format.aliases];
  }

  async sign(input: SignInput) {
    const material = await keyMaterial(this.source, this.format.issuerKey(input.configuration));
    const typeMetadata = typeMetadataOf(input.configuration);
    return this.format.issue(
      typeMetadata ? { ...input, vctIntegrity: integrityOf(typeMetadataText(typeMetadata)) } : input,
      material,
    );
  }

  metadata(configuration: SignerConfiguration): Record<string, unknown> {
    return this.format.metadata(configuration);
  }
}
