import type { JWK } from 'jose';
import { LocalSigningKey, type SigningAlgorithm, type SigningKey } from '../../platform/keys/index.js';
import { UpstreamError } from '../errors.js';

const encoder = new TextEncoder();
const b64u = (data: Uint8Array | string) =>
  Buffer.from(typeof data === 'string' ? encoder.encode(data) : data).toString('base64url');

/** Only the public members of a JWK: what a proof header and `cnf` carry. */
export function publicMembers(jwk: JWK): JWK {
  const { kty, crv, x, y } = jwk;
  return y ? { kty, crv, x, y } : { kty, crv, x };
}

/**
 * The holder key of one download. In guest mode the portal holds the key for the seconds an issuance
 * takes and then drops it: the credential is bound to a key nobody keeps (OpenID4VCI requires a
 * proof, the person downloads the credential as a document).
 */
export async function holderKeyFor(proofAlgs: string[] | undefined): Promise<SigningKey> {
  const wanted: SigningAlgorithm[] = ['ES256', 'EdDSA'];
  const alg = proofAlgs ? wanted.find((a) => proofAlgs.includes(a)) : 'ES256';
  if (!alg)
    throw new UpstreamError('credential', 'unsupported_proof_alg', `issuer wants ${proofAlgs?.join(',')}`);
  return LocalSigningKey.generate(alg);
}

export interface ProofInput {
  /** The Credential Issuer Identifier (`aud`, OpenID4VCI 1.0 Appendix F.1). */
  audience: string;
  nonce: string | undefined;
  iat: number;
}

/**
 * A `jwt` proof of possession (OpenID4VCI 1.0 Appendix F.1): header `typ` openid4vci-proof+jwt, `alg`
 * and the holder's public `jwk` (and no `kid`: the two are mutually exclusive, which is why this
 * does not use signCompactJws). `iss` is optional there and left out: the proof speaks for the
 * holder key, not for the portal.
 */
export async function signProof(key: SigningKey, input: ProofInput): Promise<string> {
  const header = { typ: 'openid4vci-proof+jwt', alg: key.alg, jwk: publicMembers(key.publicJwk) };
  const payload = { aud: input.audience, iat: input.iat, ...(input.nonce ? { nonce: input.nonce } : {}) };
  const signingInput = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  return `${signingInput}.${b64u(await key.sign(encoder.encode(signingInput)))}`;
}
