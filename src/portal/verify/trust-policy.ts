import type { TrustPolicy } from '../../credentials/verify/index.js';
import type { Config } from '../../platform/config/index.js';
import { UpstreamError } from '../errors.js';
import { request, requireSecureUrl } from '../http.js';
import type { IssuerKeys } from '../issuance/issuer-keys.js';
import { trustedRoots } from './mdoc.js';
import { didResolver, trustedDids } from './w3c.js';

/**
 * The portal's trust policy, all it keeps of verification (src/credentials/verify does the rest):
 * it trusts the issuers it is given (its catalogue's, or the one it just asked) — their URL and
 * did:web, their keys from `/.well-known/jwt-vc-issuer`, their IACA root — and fetches status lists
 * only over https (http on localhost in development), bounded in time and size.
 */
export function portalTrustPolicy(
  config: Config,
  keys: IssuerKeys,
  issuers: string[],
  options: { refreshKeys?: boolean } = {},
): TrustPolicy {
  const dids = trustedDids(issuers);
  const trusted = new Set<string>([...issuers, ...dids.keys()]);
  let roots: Promise<Uint8Array[]> | undefined;
  return {
    trustsIssuer: (issuer) => trusted.has(issuer),
    issuerJwks: async (issuer, { refresh }) => {
      if (!issuers.includes(issuer)) throw new UpstreamError('verification', 'unknown_issuer', 'not trusted');
      if (refresh) keys.invalidate(issuer);
      return keys.jwks(issuer);
    },
    refreshIssuerJwks: options.refreshKeys ?? false,
    resolveDid: didResolver(config, dids),
    trustedCertificates: () => {
      roots ??= trustedRoots(config, issuers);
      return roots;
    },
    fetchStatusList: async (uri, accept) => {
      const response = await request('verification', requireSecureUrl(config, uri, 'verification'), {
        headers: { accept },
      });
      if (response.status !== 200) throw new UpstreamError('verification', `http_${response.status}`, uri);
      return response.json ?? response.text.trim();
    },
  };
}
