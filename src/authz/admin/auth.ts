import type { FastifyRequest } from 'fastify';
import { createLocalJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { AdminRefusal } from '../../platform/audit/admin-guard.js';
import { ProtocolError } from '../../platform/errors.js';
import type { KeyStore } from '../../platform/keys/index.js';
import type { ClientStore } from '../clients/store.js';
import { AUTHZ_KEY_PURPOSE } from '../keys/rotation.js';
import { AUTHZ_ADMIN_SCOPE, adminAudience } from '../resources.js';

export interface AdminCaller {
  clientId: string;
  /** The audit trail's "who". */
  actor: string;
}

const unauthorized = (description: string) =>
  new ProtocolError(401, 'invalid_token', description, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${description}"`,
  });

/**
 * Authenticates an admin API request: a JWT access token (RFC 9068) that authz itself issued by
 * client_credentials for the audience `<issuer>/admin` with the scope `authz:admin` (or the one asked for), sent as a
 * Bearer token (RFC 6750 §2.1), from a client that is still enabled.
 */
export function adminAuthenticator(options: {
  issuer: string;
  keyStore: KeyStore;
  clients: ClientStore;
  /** The scope the token must carry (default `authz:admin`; the revocation feed asks for its own). */
  scope?: string;
}) {
  const audience = adminAudience(options.issuer);
  const scope = options.scope ?? AUTHZ_ADMIN_SCOPE;
  return async (request: FastifyRequest): Promise<AdminCaller> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (!match?.[1]) {
      throw new ProtocolError(401, 'invalid_request', 'a Bearer access token is required', {
        'www-authenticate': 'Bearer',
      });
    }
    // Our own keys, published and retired ones alike (read per request: the admin API is not hot).
    const jwks = createLocalJWKSet(await options.keyStore.publicJwks(AUTHZ_KEY_PURPOSE));
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(match[1], jwks, {
        issuer: options.issuer,
        audience,
        typ: 'at+jwt',
        algorithms: ['ES256'],
        requiredClaims: ['exp', 'client_id'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) throw unauthorized('the access token is not valid');
      throw error;
    }
    // RFC 9068 §2.2: only a client-credentials token has the client as its subject; a person's
    // token never qualifies, whatever its scope.
    if (payload.sub !== payload.client_id) {
      throw new ProtocolError(403, 'insufficient_scope', 'admin calls need a client-credentials token', {
        'www-authenticate': `Bearer error="insufficient_scope", scope="${scope}"`,
      });
    }
    // A DPoP-bound token must come with its proof; the admin API takes Bearer tokens only.
    if (payload.cnf !== undefined) throw unauthorized('a sender-constrained token cannot be used as Bearer');
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    const clientId = String(payload.client_id);
    if (!scopes.includes(scope)) {
      throw new AdminRefusal(
        403,
        'insufficient_scope',
        `the ${scope} scope is required`,
        { 'www-authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
        `client:${clientId}`,
      );
    }
    const client = await options.clients.get(clientId);
    if (!client || client.disabled) throw unauthorized('the client is disabled');
    return { clientId, actor: `client:${clientId}` };
  };
}
