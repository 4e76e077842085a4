import type {
  CredentialFormat,
  IssuerKeyChoice,
  IssuerKeyMaterial,
} from '../../credentials/formats/index.js';
import { integrityOf } from '../../credentials/formats/sd-jwt-vc/index.js';
import type { MdocCertificates } from './certificates.js';
import { type ActiveKeys, keyPurposeOf } from './keys.js';
import { typeMetadataOf, typeMetadataText } from './type-metadata.js';
import type { FormatSigner, SignerConfiguration, SignInput } from './types.js';

/** `vct#integrity` per type metadata object: the configurations are cached objects, so this is computed once each. */
const integrities = new WeakMap<object, string>();

function vctIntegrityOf(typeMetadata: Record<string, unknown>): string {
  let integrity = integrities.get(typeMetadata);
  if (integrity === undefined) {
    integrity = integrityOf(typeMetadataText(typeMetadata));
    integrities.set(typeMetadata, integrity);
  }
  return integrity;
}

/** Where the issuer's keys come from: the KeyStore per purpose, the mdoc certificates, its identifiers. */
export interface IssuerKeySource {
  keys: ActiveKeys;
  /** The credential issuer identifier (URL). */
  issuer: string;
  /** The issuer's did:web. */
  did: string;
  certificates: MdocCertificates;
}

/**
 * The key material a format asks for: the SD-JWT VC key (with its CA chain for `x5c`, when one was
 * imported) for keys found through the issuer's metadata, the W3C key of the algorithm for did:web,
 * the document signer and its x5chain for a chain to the IACA. `validUntil` is recorded against the
 * key, so that once rotated out it stays published while this credential is valid.
 */
async function keyMaterial(
  source: IssuerKeySource,
  choice: IssuerKeyChoice,
  validUntil: Date | undefined,
): Promise<IssuerKeyMaterial> {
  const { issuer, did } = source;
  if (choice.kind === 'x509') {
    const { key, certificates } = await source.certificates.signer();
    if (validUntil) await source.keys.noteSigned(key.kid, validUntil);
    return { key, issuer, did, certificates };
  }
  const { key, certificates } = await source.keys.forSigning(keyPurposeOf(choice), choice.alg, validUntil);
  return { key, issuer, did, certificates: choice.kind === 'issuer' ? certificates : [] };
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
    const material = await keyMaterial(
      this.source,
      this.format.issuerKey(input.configuration),
      input.validUntil,
    );
    const typeMetadata = typeMetadataOf(input.configuration);
    return this.format.issue(
      typeMetadata ? { ...input, vctIntegrity: vctIntegrityOf(typeMetadata) } : input,
      material,
    );
  }

  metadata(configuration: SignerConfiguration): Record<string, unknown> {
    return this.format.metadata(configuration);
  }
}
