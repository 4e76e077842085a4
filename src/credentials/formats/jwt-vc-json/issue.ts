import { type SigningKey, signCompactJws } from '../../../platform/keys/index.js';
import type { DataModel } from '../../w3c/credential.js';
import { VC_JWT_TYP } from '../vc-jwt/id.js';

export interface IssueJwtVcOptions {
  /** The unsigned credential from `buildW3cCredential` (its data model decides the encoding). */
  credential: Record<string, unknown>;
  dataModel: DataModel;
  key: SigningKey;
  /** JWS `kid`: a DID URL that resolves to the key (did:web of the issuer). */
  kid: string;
}

function seconds(value: unknown): number | undefined {
  return typeof value === 'string' ? Math.floor(Date.parse(value) / 1000) : undefined;
}

/**
 * A W3C credential as a JWT, by its data model:
 * - VCDM 1.1 §6.3.1 JWT encoding (`jwt_vc_json`, OpenID4VCI 1.0 Appendix A.1.1): registered claims
 *   carry what they replace — `iss` (issuer), `nbf` (issuanceDate), `exp` (expirationDate), `jti`
 *   (id), `sub` (credentialSubject.id) — and the rest goes into the `vc` claim without them.
 * - VCDM 2.0 secured with JOSE (`vc+jwt`, VC-JOSE-COSE §3.1.1): the credential is the JWT payload
 *   as it is, `typ: vc+jwt`, `cty: vc`; `iss`/`iat`/`exp` mirror `issuer`/`validFrom`/`validUntil`.
 */
export async function issueJwtVc(options: IssueJwtVcOptions): Promise<string> {
  const { credential } = options;
  if (options.dataModel === '2.0') {
    const iat = seconds(credential.validFrom);
    const exp = seconds(credential.validUntil);
    return signCompactJws(
      options.key,
      { typ: VC_JWT_TYP, cty: 'vc', kid: options.kid },
      {
        ...credential,
        iss: credential.issuer,
        ...(iat !== undefined ? { iat } : {}),
        ...(exp !== undefined ? { exp } : {}),
      },
    );
  }
  const { issuer, issuanceDate, expirationDate, id, ...vc } = credential;
  const subject = { ...(vc.credentialSubject as Record<string, unknown>) };
  const sub = subject.id;
  delete subject.id;
  const nbf = seconds(issuanceDate);
  const exp = seconds(expirationDate);
  return signCompactJws(
    options.key,
    { typ: 'JWT', kid: options.kid },
    {
      iss: issuer,
      ...(typeof sub === 'string' ? { sub } : {}),
      ...(nbf !== undefined ? { nbf, iat: nbf } : {}),
      ...(exp !== undefined ? { exp } : {}),
      ...(typeof id === 'string' ? { jti: id } : {}),
      vc: { ...vc, credentialSubject: subject },
    },
  );
}
