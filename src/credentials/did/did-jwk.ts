import type { JWK } from 'jose';
import { DidResolutionError } from './errors.js';
import { assertPublicJwk } from './public-jwk.js';

/**
 * did:jwk (https://github.com/quartzjer/did-jwk): the method-specific id is the base64url JSON of a
 * public JWK; the only verification method is `#0`.
 */
export function resolveDidJwk(did: string, fragment: string | undefined): JWK {
  if (fragment !== undefined && fragment !== '0') throw new DidResolutionError('did:jwk: unknown fragment');
  const encoded = did.slice('did:jwk:'.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) throw new DidResolutionError('did:jwk: not base64url');
  let jwk: unknown;
  try {
    jwk = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new DidResolutionError('did:jwk: not a JSON JWK');
  }
  return assertPublicJwk(jwk);
}

/** The did:jwk of a public JWK (only its key members, so the DID is stable whatever else the JWK carries). */
export function didJwkFromJwk(jwk: JWK): string {
  const key = assertPublicJwk(jwk);
  const members: JWK = { kty: key.kty, crv: key.crv, x: key.x, ...(key.y ? { y: key.y } : {}) };
  return `did:jwk:${Buffer.from(JSON.stringify(members)).toString('base64url')}`;
}
