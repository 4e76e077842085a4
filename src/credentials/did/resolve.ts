import type { JWK } from 'jose';
import { resolveDidJwk } from './did-jwk.js';
import { resolveDidKey } from './did-key.js';
import { DidResolutionError } from './errors.js';

/**
 * Resolves a DID URL naming a verification method (e.g. a JWS `kid` such as `did:jwk:…#0` or
 * `did:key:z6Mk…#z6Mk…`) to its public JWK. Only self-describing methods: no network access.
 */
export function resolveDidUrlToJwk(didUrl: string): JWK {
  if (didUrl.length > 4096) throw new DidResolutionError('DID URL too long');
  const hash = didUrl.indexOf('#');
  const did = hash === -1 ? didUrl : didUrl.slice(0, hash);
  const fragment = hash === -1 ? undefined : didUrl.slice(hash + 1);
  if (/[?/]/.test(did.replace(/^did:[a-z0-9]+:/, ''))) {
    throw new DidResolutionError('DID URL paths and queries are not supported');
  }
  if (did.startsWith('did:jwk:')) return resolveDidJwk(did, fragment);
  if (did.startsWith('did:key:')) return resolveDidKey(did, fragment);
  throw new DidResolutionError('DID method not supported');
}
