import { type DidDocumentResolver, didWebDocumentUrl, didWebFromUrl } from '../../credentials/did/index.js';
import type { Config } from '../../platform/config/index.js';
import { request, requireSecureUrl } from '../http.js';

/**
 * The issuers' DIDs the portal trusts: the did:web of each issuer of its catalogue, whose document it
 * fetches (and only those, so an uploaded credential cannot make the portal call anywhere else).
 */
export function trustedDids(issuers: string[]): Map<string, string> {
  return new Map(issuers.map((issuer) => [didWebFromUrl(issuer), issuer]));
}

/** Resolves a trusted did:web to its document over HTTP(S); any other DID to nothing. */
export function didResolver(config: Config, trusted: Map<string, string>): DidDocumentResolver {
  return async (did) => {
    if (!trusted.has(did)) return undefined;
    const response = await request(
      'verification',
      requireSecureUrl(config, didWebDocumentUrl(did), 'verification'),
    );
    return response.status === 200 && typeof response.json === 'object'
      ? (response.json as Record<string, unknown>)
      : undefined;
  };
}
