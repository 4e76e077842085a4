import * as client from 'openid-client';
import { type AuthorizationServers, asUpstreamError } from '../oidc/authorization-server.js';

/** The scope our issuer's `POST /admin/offers` accepts besides full `issuer:admin` (least privilege). */
export const OFFERS_SCOPE = 'issuer:offers';
/** A token is renewed this long before it expires, so a request never carries one that just lapsed. */
const RENEW_BEFORE_MS = 30_000;

/**
 * Client-credentials access tokens (RFC 6749 §4.4; a JWT for the issuer, RFC 8707 `resource`) that let
 * the portal ask our issuer for wallet offers, authenticated as the portal client (private_key_jwt).
 * Cached per issuer until shortly before expiry: a cache, not state — any instance can mint its own.
 */
export class OffersTokens {
  private readonly cached = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly servers: AuthorizationServers) {}

  async get(authorizationServer: string, issuer: string): Promise<string> {
    const hit = this.cached.get(issuer);
    if (hit && hit.expiresAt - RENEW_BEFORE_MS > Date.now()) return hit.token;
    const configuration = await this.servers.configuration(authorizationServer);
    let response: client.TokenEndpointResponse;
    try {
      response = await client.clientCredentialsGrant(configuration, {
        scope: OFFERS_SCOPE,
        resource: issuer,
      });
    } catch (error) {
      throw asUpstreamError('token', error);
    }
    const expiresIn = typeof response.expires_in === 'number' ? response.expires_in : 60;
    this.cached.set(issuer, { token: response.access_token, expiresAt: Date.now() + expiresIn * 1000 });
    return response.access_token;
  }
}
