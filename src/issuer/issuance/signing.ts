import { issueSdJwtVc } from '../../credentials/sd-jwt-vc/index.js';
import { ProtocolError } from '../../platform/errors.js';
import type { SigningKey } from '../../platform/keys/index.js';
import type { CredentialConfiguration } from '../configurations/index.js';
import type { FormatSignerRegistry, SignedCredential, SignInput } from '../formats/types.js';

/**
 * Signs through issue 6's format signers when they are wired in; until then SD-JWT VC is signed by
 * the credentials library directly and other formats are refused, so nothing is issued half-made.
 */
export class PipelineSigner {
  constructor(
    private readonly signers: FormatSignerRegistry | undefined,
    private readonly sdJwtKey: SigningKey,
    private readonly issuer: string,
  ) {}

  supports(format: CredentialConfiguration['format']): boolean {
    if (this.signers?.formats().includes(format)) return true;
    return format === 'dc+sd-jwt';
  }

  async sign(input: SignInput): Promise<SignedCredential> {
    const format = input.configuration.format;
    if (this.signers?.formats().includes(format)) return this.signers.get(format).sign(input);
    const { document } = input;
    if (format !== 'dc+sd-jwt' || document.kind !== 'sd-jwt') {
      throw new ProtocolError(400, 'unsupported_credential_format', `format ${format} cannot be signed here`);
    }
    const token = input.status?.find((s) => s.kind === 'token-status-list');
    return issueSdJwtVc({
      issuerKey: this.sdJwtKey,
      issuer: this.issuer,
      vct: input.configuration.vct as string,
      claims: document.claims,
      disclosable: document.disclosable.map((p) => (Array.isArray(p) ? p.join('.') : p)),
      holderJwk: input.holderJwk,
      iat: Math.floor(input.validFrom.getTime() / 1000),
      exp: input.validUntil ? Math.floor(input.validUntil.getTime() / 1000) : undefined,
      status: token ? { status_list: { idx: token.idx, uri: token.uri } } : undefined,
    });
  }
}
