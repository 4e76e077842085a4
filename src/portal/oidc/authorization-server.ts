import * as client from 'openid-client';
import type { Config } from '../../platform/config/index.js';
import { TtlCache } from '../catalog/ttl-cache.js';
import { UpstreamError } from '../errors.js';
import { allowsInsecure, requireSecureUrl } from '../http.js';

/** How long discovered authorization server metadata is reused before it is fetched again. */
const DISCOVERY_TTL_MS = 5 * 60_000;

/**
 * openid-client configurations of the authorization servers an issuer names, discovered once and
 * refreshed now and then (their metadata and JWKS are the only state kept in memory).
 */
export class AuthorizationServers {
  private readonly caches = new Map<string, TtlCache<client.Configuration>>();

  constructor(
    private readonly config: Config,
    private readonly clientAuth: client.ClientAuth,
  ) {}

  async configuration(issuer: string): Promise<client.Configuration> {
    let cache = this.caches.get(issuer);
    if (!cache) {
      cache = new TtlCache(() => this.discover(issuer), DISCOVERY_TTL_MS);
      this.caches.set(issuer, cache);
    }
    return cache.get();
  }

  private async discover(issuer: string): Promise<client.Configuration> {
    const url = requireSecureUrl(this.config, issuer, 'authorization_server');
    const insecure = allowsInsecure(this.config, url);
    try {
      return await client.discovery(
        url,
        this.config.portal.clientId,
        { token_endpoint_auth_method: 'private_key_jwt' },
        this.clientAuth,
        { execute: insecure ? [client.allowInsecureRequests] : [], timeout: 10 },
      );
    } catch (error) {
      throw asUpstreamError('authorization_server', error);
    }
  }
}

/**
 * Turns openid-client's errors into a step and a code safe to show: the protocol error of the
 * other side when there is one (`invalid_grant`), else openid-client's check that failed.
 */
export function asUpstreamError(step: 'authorization_server' | 'token', error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof client.ResponseBodyError || error instanceof client.AuthorizationResponseError) {
    return new UpstreamError(step, error.error, `${error.error}: ${error.error_description ?? ''}`);
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    const challenge = error.cause[0];
    return new UpstreamError(step, challenge?.parameters.error ?? `http_${error.status}`, 'challenge');
  }
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  if (error instanceof TypeError && cause) return new UpstreamError(step, 'unreachable', cause);
  const code = (error as { code?: unknown }).code;
  return new UpstreamError(
    step,
    typeof code === 'string' ? code.toLowerCase() : 'unexpected_response',
    (error as Error).message,
  );
}
