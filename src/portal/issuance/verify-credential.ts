import { calculateJwkThumbprint, type JWK } from 'jose';
import { CredentialVerificationError, IssuerKeysUnavailable } from '../../credentials/errors.js';
import {
  formatOfCredential,
  parseCredential,
  type VerifiedCredential,
  verifyCredential,
} from '../../credentials/verify/index.js';
import type { Config } from '../../platform/config/index.js';
import { UpstreamError } from '../errors.js';
import { portalTrustPolicy } from '../verify/trust-policy.js';
import type { IssuerKeys } from './issuer-keys.js';

export interface Expectations {
  /** The issuer the credential was asked of: the only one trusted for it. */
  issuer: string;
  /** The format of the configuration asked for. */
  format: string;
  /** The `vct` (SD-JWT VC) the configuration announced, when it did. */
  vct: string | undefined;
  /** The holder key this download proved possession of. */
  holderJwk: JWK;
}

function fail(code: string, detail: string): never {
  throw new UpstreamError('verification', code, detail);
}

const thumbprint = (jwk: JWK | undefined) =>
  jwk ? calculateJwkThumbprint(jwk).catch(() => '') : Promise.resolve('');

/**
 * Checks what the issuer sent before showing it, through src/credentials/verify with the issuer it
 * was asked of as the only one trusted (its keys, its did:web, its IACA root; fetched keys are asked
 * again once on an unknown key, a rotation): signature, structure and validity, the announced
 * format and `vct`, and that it is bound (`cnf.jwk`, the did:jwk subject, the MSO deviceKey) to
 * the holder key this download proved possession of.
 */
export async function verifyObtainedCredential(
  config: Config,
  keys: IssuerKeys,
  credential: string,
  expected: Expectations,
): Promise<VerifiedCredential> {
  const policy = portalTrustPolicy(config, keys, [expected.issuer], { refreshKeys: true });
  let verified: VerifiedCredential;
  try {
    const input = parseCredential(credential);
    const issuer = formatOfCredential(input).claimedIssuer(input);
    if (issuer !== undefined && !policy.trustsIssuer(issuer)) fail('invalid_credential', 'unexpected issuer');
    verified = await verifyCredential(input, policy, expected.format);
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    if (error instanceof IssuerKeysUnavailable && error.cause instanceof UpstreamError) throw error.cause;
    const reason = error instanceof CredentialVerificationError ? error.message : 'invalid';
    fail('invalid_credential', reason);
  }
  if (expected.vct !== undefined && verified.type !== expected.vct) {
    fail('unexpected_vct', 'vct differs from the configuration');
  }
  const bound = await thumbprint(verified.holderJwk);
  if (!bound || bound !== (await thumbprint(expected.holderJwk))) {
    fail('holder_binding_mismatch', 'the credential is not bound to the holder key');
  }
  return verified;
}
