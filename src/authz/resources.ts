import { type ClientLike, errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../platform/config/index.js';

type ResourceConfig = Config['authz']['resources'][number];

/** The scope of authz's admin API (docs/authz-protocol.md), granted only by client_credentials. */
export const AUTHZ_ADMIN_SCOPE = 'authz:admin';

/**
 * The scope of authz's grant revocation feed (protocol/grant-revocation.ts), for resource servers
 * that verify our JWT access tokens locally; granted only by client_credentials, audience as admin.
 */
export const REVOCATIONS_SCOPE = 'authz:revocations';

/** The audience (RFC 8707 resource) of tokens for authz's admin API. */
export const adminAudience = (publicUrl: string) => `${publicUrl}/admin`;

/**
 * Resource indicators (RFC 8707): which resource servers authz mints access tokens for. Every token
 * for a resource server is a JWT (RFC 9068, `typ: at+jwt`, ES256) whose `aud` is the configured
 * identifier and whose `scope` holds only the granted scopes that server accepts.
 */
export function resourceIndicators(configured: ResourceConfig[], accessTokenTtl: number, publicUrl: string) {
  // authz's own admin API and revocation feed are a resource server too (client_credentials).
  const resources = [
    ...configured,
    { identifier: adminAudience(publicUrl), scopes: [AUTHZ_ADMIN_SCOPE, REVOCATIONS_SCOPE] },
  ];
  const byIdentifier = new Map(resources.map((r) => [r.identifier, r]));

  /**
   * The scopes a client may get for a resource: the server's scopes the client is registered for
   * (its record's `scope`, carried by oidc-provider as the extra metadata `attesta_scope`).
   */
  const allowedScopes = (resource: ResourceConfig, client: ClientLike | undefined): string[] => {
    const registered = new Set(client?.attesta_scope?.split(' ') ?? []);
    return resource.scopes.filter((s) => registered.has(s));
  };

  return {
    enabled: true,

    async getResourceServerInfo(_ctx: KoaContextWithOIDC, identifier: string, client: ClientLike) {
      const resource = byIdentifier.get(identifier);
      if (!resource) throw new errors.InvalidTarget('unknown resource indicator');
      return {
        scope: allowedScopes(resource, client).join(' '),
        audience: resource.identifier,
        accessTokenTTL: accessTokenTtl,
        accessTokenFormat: 'jwt' as const,
        jwt: { sign: { alg: 'ES256' } },
      };
    },

    /**
     * A request without `resource` that asks for scopes of exactly one resource server gets that
     * server, so a client that omits the parameter still receives a usable token for it. With
     * `oneOf` (several granted resources, token request without `resource`) the first is used.
     */
    async defaultResource(ctx: KoaContextWithOIDC, client: ClientLike, oneOf?: string[]) {
      if (oneOf) return oneOf[0];
      const scope = ctx.oidc.params?.scope;
      if (typeof scope !== 'string') return undefined;
      const requested = new Set(scope.split(' '));
      const matching = resources.filter((r) => allowedScopes(r, client).some((s) => requested.has(s)));
      return matching.length === 1 ? matching[0]?.identifier : undefined;
    },

    /** A token request without `resource` gets a token for the resource granted at authorization. */
    async useGrantedResource() {
      return true;
    },
  };
}
