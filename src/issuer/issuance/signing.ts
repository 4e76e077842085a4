import type { CredentialConfiguration } from '../configurations/index.js';
import type { FormatSignerRegistry, SignedCredential, SignInput } from '../formats/types.js';

/** Signs through the format signers (src/issuer/formats): a format without one is refused before anything is written. */
export class PipelineSigner {
  constructor(private readonly signers: FormatSignerRegistry) {}

  supports(format: CredentialConfiguration['format']): boolean {
    return this.signers.formats().includes(format);
  }

  sign(input: SignInput): Promise<SignedCredential> {
    return this.signers.get(input.configuration.format).sign(input);
  }
}
