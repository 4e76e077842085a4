import type { JWK } from 'jose';
import type { Config } from '../../platform/config/index.js';
import { TtlCache } from '../catalog/ttl-cache.js';
import { wellKnownUrls } from '../catalog/well-known.js';
import { UpstreamError } from '../errors.js';
import { request, requireSecureUrl } from '../http.js';

const KEYS_TTL_MS = 5 * 60_000;

function isJwks(value: unknown): value is { keys: JWK[] } {
  const keys = (value as { keys?: unknown } | undefined)?.keys;
  return Array.isArray(keys) && keys.every((k) => typeof k === 'object' && k !== null && 'kty' in k);
}

/**
 * The signing keys of SD-JWT VC issuers, from their JWT VC Issuer Metadata (SD-JWT VC §5:
 * `/.well-known/jwt-vc-issuer`, with `jwks` inline or by `jwks_uri`). Cached for a while; a
 * verifier that meets an unknown key calls `invalidate` and asks again (key rotation).
 */
export class IssuerKeys {
  private readonly caches = new Map<string, TtlCache<{ keys: JWK[] }>>();

  constructor(private readonly config: Config) {}

  jwks(issuer: string): Promise<{ keys: JWK[] }> {
    let cache = this.caches.get(issuer);
    if (!cache) {
      cache = new TtlCache(() => this.fetch(issuer), KEYS_TTL_MS);
      this.caches.set(issuer, cache);
    }
    return cache.get();
  }

  invalidate(issuer: string): void {
    this.caches.get(issuer)?.invalidate();
  }

  private async fetch(issuer: string): Promise<{ keys: JWK[] }> {
    requireSecureUrl(this.config, issuer, 'verification');
    for (const url of wellKnownUrls(issuer, 'jwt-vc-issuer')) {
      const response = await request('verification', url);
      if (response.status === 404) continue;
      if (response.status !== 200) break;
      const body = response.json as { issuer?: unknown; jwks?: unknown; jwks_uri?: unknown } | undefined;
      // SD-JWT VC §5.2: the `issuer` in the metadata MUST be identical to the `iss` it was fetched for.
      if (body?.issuer !== issuer) {
        throw new UpstreamError('verification', 'invalid_issuer_metadata', 'issuer does not match');
      }
      if (isJwks(body.jwks)) return body.jwks;
      if (typeof body.jwks_uri === 'string') {
        const jwks = await request(
          'verification',
          requireSecureUrl(this.config, body.jwks_uri, 'verification'),
        );
        if (jwks.status === 200 && isJwks(jwks.json)) return jwks.json;
      }
      throw new UpstreamError('verification', 'invalid_issuer_metadata', 'no usable jwks');
    }
    throw new UpstreamError('verification', 'issuer_keys_unavailable', 'jwt-vc-issuer metadata not found');
  }
}
