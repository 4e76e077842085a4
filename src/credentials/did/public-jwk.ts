import type { JWK } from 'jose';
import { DidResolutionError } from './errors.js';

/** JWK members that carry private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037). */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export function hasPrivateMembers(jwk: Record<string, unknown>): boolean {
  return PRIVATE_JWK_MEMBERS.some((member) => member in jwk);
}

/** Accepts an EC or OKP public JWK only; anything else (private, symmetric, RSA, junk) is refused. */
export function assertPublicJwk(value: unknown): JWK {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DidResolutionError('JWK is not an object');
  }
  const jwk = value as Record<string, unknown>;
  if (hasPrivateMembers(jwk)) throw new DidResolutionError('JWK contains private key material');
  if (jwk.kty !== 'EC' && jwk.kty !== 'OKP') throw new DidResolutionError('JWK key type not supported');
  if (typeof jwk.crv !== 'string' || typeof jwk.x !== 'string')
    throw new DidResolutionError('JWK incomplete');
  if (jwk.kty === 'EC' && typeof jwk.y !== 'string') throw new DidResolutionError('JWK incomplete');
  return jwk as JWK;
}
