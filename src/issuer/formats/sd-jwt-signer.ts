import { integrityOf, issueSdJwtVc, SD_JWT_VC_TYP } from '../../credentials/sd-jwt-vc/index.js';
import { type ActiveKeys, SD_JWT_KEY_PURPOSE } from './keys.js';
import { typeMetadataOf, typeMetadataText } from './type-metadata.js';
import {
  type CredentialFormat,
  FormatError,
  type FormatSigner,
  type SignerConfiguration,
  type SignInput,
} from './types.js';

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * `dc+sd-jwt` (SD-JWT VC), and `vc+sd-jwt` for wallets that predate the media type change: the same
 * credential with the older `typ`. Claims are disclosable as the template says (members, array
 * elements, whole objects), with the configured number of decoys; `vct#integrity` over the
 * configuration's type metadata (its own, or derived from its display and claims); `cnf.jwk` from the proof; the token status reference.
 */
export class SdJwtSigner implements FormatSigner {
  readonly formats: readonly CredentialFormat[] = ['dc+sd-jwt', 'vc+sd-jwt'];

  constructor(
    private readonly keys: ActiveKeys,
    private readonly issuer: string,
  ) {}

  async sign({ configuration, document, holderJwk, validFrom, validUntil, status }: SignInput) {
    if (document.kind !== 'sd-jwt')
      throw new FormatError(`${configuration.id}: an SD-JWT VC needs SD-JWT claims`);
    if (!configuration.vct) throw new FormatError(`${configuration.id}: vct is required`);
    const key = await this.keys.get(SD_JWT_KEY_PURPOSE, 'ES256');
    const typeMetadata = typeMetadataOf(configuration);
    const token = status?.find((s) => s.kind === 'token-status-list');
    return issueSdJwtVc({
      issuerKey: key,
      issuer: this.issuer,
      vct: configuration.vct,
      ...(typeMetadata ? { vctIntegrity: integrityOf(typeMetadataText(typeMetadata)) } : {}),
      claims: document.claims,
      disclosable: document.disclosable,
      ...(configuration.decoys ? { decoys: configuration.decoys } : {}),
      holderJwk,
      iat: seconds(validFrom),
      ...(validUntil ? { exp: seconds(validUntil) } : {}),
      ...(token ? { status: { status_list: { idx: token.idx, uri: token.uri } } } : {}),
      typ: configuration.format === 'vc+sd-jwt' ? 'vc+sd-jwt' : SD_JWT_VC_TYP,
    });
  }

  metadata(configuration: SignerConfiguration): Record<string, unknown> {
    return {
      vct: configuration.vct,
      cryptographic_binding_methods_supported: ['jwk'],
      credential_signing_alg_values_supported: ['ES256'],
    };
  }
}
