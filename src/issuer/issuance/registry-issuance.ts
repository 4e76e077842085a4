import { issueSdJwtVc } from '../../credentials/sd-jwt-vc/index.js';
import { ProtocolError } from '../../platform/errors.js';
import type { SigningKey } from '../../platform/keys/index.js';
import type { IdentityRegistry } from '../../platform/registry/index.js';
import { claimsFor } from '../configurations/index.js';
import type { IssuanceOutcome, IssuanceRequest, IssuanceService } from './types.js';

const HOUR = 3600;

/**
 * Issuance from the identity registry: the person is the token's subject, claims are mapped by the
 * configuration, one SD-JWT VC per holder key.
 */
export class RegistryIssuance implements IssuanceService {
  constructor(
    private readonly registry: IdentityRegistry,
    private readonly issuerKey: SigningKey,
    private readonly issuer: string,
    private readonly credentialTtl: number,
  ) {}

  async issue(request: IssuanceRequest): Promise<IssuanceOutcome> {
    const { configuration } = request;
    const person = await this.registry.findByIndividualId(request.subject.sub);
    if (!person) {
      throw new ProtocolError(
        400,
        'invalid_credential_request',
        'no registry record for the access token subject',
      );
    }
    const { claims, disclosable } = claimsFor(configuration, person);
    // RFC 9901 §10.1: a precise issuance time links the credentials (of a batch, or to this
    // request); iat is rounded down and exp up to the hour, so validity is never shortened.
    const now = Math.floor(Date.now() / 1000);
    const iat = now - (now % HOUR);
    const exp = Math.ceil((now + this.credentialTtl) / HOUR) * HOUR;
    const credentials = await Promise.all(
      request.holderJwks.map((holderJwk) =>
        issueSdJwtVc({
          issuerKey: this.issuerKey,
          issuer: this.issuer,
          vct: configuration.vct,
          claims,
          disclosable,
          holderJwk,
          iat,
          exp,
        }),
      ),
    );
    return { kind: 'issued', credentials, credentialIds: [] };
  }
}
