import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminRefusal, routeOf } from '../../platform/audit/admin-guard.js';
import { ProtocolError } from '../../platform/errors.js';
import type { AccessTokenVerifier } from '../access-token.js';
import { ApiKeyStore } from './api-keys.js';
import type { AuditTrail } from './audit.js';

/** The scope an OAuth client-credentials token must carry to call the admin API. */
export const ADMIN_SCOPE = 'issuer:admin';
/**
 * Least privilege for a client that only makes credential offers (the portal's "add to wallet"): offers
 * for a `subject`, whose claims the data provider supplies.
 */
export const OFFERS_SCOPE = 'issuer:offers';
/**
 * Offers whose claims the caller supplies (`claims`): whoever holds it decides what a signed credential
 * says, so it is a scope of its own, granted to admin clients only — `issuer:admin` does not imply it.
 */
export const OFFER_CLAIMS_SCOPE = 'issuer:offers:claims';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scopes that admit a client-credentials token to this admin route (any one; default `issuer:admin`). */
    adminScopes?: readonly string[];
  }
}

export interface AdminPrincipal {
  kind: 'oauth' | 'api_key';
  /** The client id (OAuth) or the key id (API key). */
  id: string;
  /** The token's scopes (OAuth); an API key is the operator's own credential and holds every admin right. */
  scopes?: ReadonlySet<string>;
}

/** Whether the caller holds `scope`: an OAuth client by its token, an API key always. */
export function holdsScope(principal: AdminPrincipal, scope: string): boolean {
  return principal.kind === 'api_key' || principal.scopes?.has(scope) === true;
}

export function actorOf(principal: AdminPrincipal | undefined): string {
  return principal ? `${principal.kind}:${principal.id}` : 'anonymous';
}

const principals = new WeakMap<FastifyRequest, AdminPrincipal>();

/** The authenticated admin of a request that passed `requireAdmin`. */
export function adminPrincipal(request: FastifyRequest): AdminPrincipal {
  const principal = principals.get(request);
  if (!principal) throw new Error('adminPrincipal: route is not protected by requireAdmin');
  return principal;
}

function unauthorized(description: string, error = 'invalid_token'): ProtocolError {
  return new ProtocolError(401, error, description, {
    'www-authenticate': `Bearer error="${error}", error_description="${description}"`,
  });
}

export interface AdminAuthenticatorDeps {
  tokens: AccessTokenVerifier;
  apiKeys: ApiKeyStore;
  audit: AuditTrail;
}

/**
 * Who may call the admin API: an OAuth client holding a client-credentials access token (RFC 9068,
 * from a trusted authorization server, audience this issuer) with scope `issuer:admin`, or the
 * holder of an admin API key. A person's token never qualifies: RFC 9068 §2.2 puts the client id in
 * `sub` only for client-credentials tokens, so `sub` must equal `client_id`.
 */
export class AdminAuthenticator {
  constructor(private readonly deps: AdminAuthenticatorDeps) {}

  async authenticate(
    authorization: string | undefined,
    scopes: readonly string[] = [ADMIN_SCOPE],
  ): Promise<AdminPrincipal> {
    const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    if (!match) {
      // RFC 6750 §3.1: no credentials → a bare challenge.
      throw new ProtocolError(401, 'invalid_request', 'admin credentials required', {
        'www-authenticate': 'Bearer',
      });
    }
    const credential = match[1] as string;
    if (ApiKeyStore.looksLikeKey(credential)) {
      const id = await this.deps.apiKeys.verify(credential);
      if (!id) throw unauthorized('unknown or revoked API key');
      return { kind: 'api_key', id };
    }
    let token: Awaited<ReturnType<AccessTokenVerifier['verify']>>;
    try {
      token = await this.deps.tokens.verify(credential);
    } catch (error) {
      if (error instanceof ProtocolError && error.status === 401) throw unauthorized(error.description);
      throw error;
    }
    if (!token.clientId || token.subject !== token.clientId) {
      throw new ProtocolError(403, 'insufficient_scope', 'admin calls need a client-credentials token', {
        'www-authenticate': `Bearer error="insufficient_scope", scope="${ADMIN_SCOPE}"`,
      });
    }
    if (!scopes.some((scope) => token.scopes.has(scope))) {
      throw new AdminRefusal(
        403,
        'insufficient_scope',
        `the access token lacks scope ${scopes.join(' or ')}`,
        { 'www-authenticate': `Bearer error="insufficient_scope", scope="${scopes.join(' ')}"` },
        `oauth:${token.clientId}`,
      );
    }
    return { kind: 'oauth', id: token.clientId, scopes: token.scopes };
  }

  /**
   * The `onRequest` hook of a route outside the guarded admin scope (tests, the offers API alone):
   * authenticates and writes the allowed call to the audit trail. Refusals are thrown; the admin
   * scope (routes.ts) counts them.
   */
  readonly hook = async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const principal = await this.authenticateRequest(request);
    await this.recordAllowed(request, principal);
  };

  /** Authenticates with the route's `adminScopes`; remembers the principal for `adminPrincipal`. */
  readonly authenticateRequest = async (request: FastifyRequest): Promise<AdminPrincipal> => {
    const principal = await this.authenticate(
      request.headers.authorization,
      request.routeOptions.config.adminScopes,
    );
    principals.set(request, principal);
    return principal;
  };

  /** One audit row per allowed call: who, method and route pattern, the route's parameters. */
  readonly recordAllowed = async (request: FastifyRequest, principal: AdminPrincipal): Promise<void> => {
    const target = Object.keys((request.params as object) ?? {}).length
      ? JSON.stringify(request.params).slice(0, 500)
      : null;
    await this.deps.audit.record({
      actor: actorOf(principal),
      action: routeOf(request),
      target,
      outcome: 'allowed',
      detail: null,
    });
  };
}

/**
 * The hook to put on every admin route (`onRequest: requireAdmin(auth)`), or on a whole plugin scope
 * with `app.addHook('onRequest', requireAdmin(auth))`. Then `adminPrincipal(request)` names the caller.
 */
export function requireAdmin(
  auth: AdminAuthenticator,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return auth.hook;
}
