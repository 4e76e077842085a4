import { randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { JWK, JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet } from 'jose';
import { ProtocolError } from '../../platform/errors.js';
import { type KeyStore, type SigningKey, signCompactJws } from '../../platform/keys/index.js';
import type { DpopVerifier } from '../dpop/verify.js';
import type { CredentialConfigurationSource } from '../issuance/index.js';
import type { NonceStore } from '../nonce-store.js';
import { type OfferStore, PRE_AUTHORIZED_GRANT } from '../offers/store.js';
import { TOKEN_JWKS_PATH, TOKEN_PATH } from '../vocabulary.js';
import { TOKEN_KEY_PURPOSE } from './key-purpose.js';

export interface TokenEndpointDeps {
  publicUrl: string;
  keys: KeyStore;
  signingKey: SigningKey;
  offers: OfferStore;
  nonces: NonceStore;
  dpop: DpopVerifier;
  /** HAIP mode: a token is only issued DPoP-bound (HAIP 1.0 §4, RFC 9449 §5). */
  dpopRequired?: boolean;
  configurations: CredentialConfigurationSource;
  accessTokenTtl: number;
  nonceTtl: number;
}

function invalidGrant(description: string): ProtocolError {
  return new ProtocolError(400, 'invalid_grant', description);
}

/**
 * The issuer's own keys for the tokens it mints, as a jose key resolver: the public keys are read
 * from the database once and again only when a token names a `kid` not yet seen (another instance
 * rotated), at most once a second.
 */
export function localTokenKeys(keys: KeyStore): JWTVerifyGetKey {
  let jwks: { keys: JWK[] } | undefined;
  let resolver: JWTVerifyGetKey | undefined;
  let loadedAt = 0;
  const load = async () => {
    jwks = await keys.publicJwks(TOKEN_KEY_PURPOSE);
    resolver = createLocalJWKSet(jwks);
    loadedAt = Date.now();
  };
  return async (header, token) => {
    const known = jwks?.keys.some((k) => k.kid === header.kid);
    if (!resolver || (!known && Date.now() - loadedAt > 1000)) await load();
    return (resolver as JWTVerifyGetKey)(header, token);
  };
}

/**
 * The issuer as an OAuth authorization server for the pre-authorized code grant only (OpenID4VCI 1.0
 * §6): RFC 8414 metadata, a JWKS, and a token endpoint that exchanges a pre-authorized code (and its
 * transaction code) for a JWT access token (RFC 9068) — DPoP-bound when the wallet sends a DPoP proof
 * (RFC 9449 §5) — with `authorization_details` naming a credential identifier per configuration.
 */
export function registerTokenEndpoint(app: FastifyInstance, deps: TokenEndpointDeps): void {
  const issuer = deps.publicUrl;
  const asMetadata = {
    issuer,
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    jwks_uri: `${issuer}${TOKEN_JWKS_PATH}`,
    grant_types_supported: [PRE_AUTHORIZED_GRANT],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ['none'],
    'pre-authorized_grant_anonymous_access_supported': true,
    dpop_signing_alg_values_supported: [...deps.dpop.algs],
    authorization_details_types_supported: ['openid_credential'],
  };
  const sendMetadata = async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'public, max-age=300')
      .send(asMetadata);
  app.get('/.well-known/oauth-authorization-server', sendMetadata);
  // Draft 13 appends the well-known suffix to the credential issuer identifier of its view.
  app.get('/draft13/.well-known/oauth-authorization-server', sendMetadata);
  app.get(TOKEN_JWKS_PATH, async (_request, reply) =>
    reply
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'public, max-age=60')
      .send(await deps.keys.publicJwks(TOKEN_KEY_PURPOSE)),
  );

  app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: 8192 });
    scope.post<{ Body: Record<string, unknown> }>(TOKEN_PATH, async (request, reply) => {
      const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<
        string,
        unknown
      >;
      const param = (name: string) => {
        const value = body[name];
        if (value === undefined) return undefined;
        if (typeof value !== 'string')
          throw new ProtocolError(400, 'invalid_request', `${name} is repeated or malformed`);
        return value;
      };
      const grantType = param('grant_type');
      if (!grantType) throw new ProtocolError(400, 'invalid_request', 'grant_type is required');
      if (grantType !== PRE_AUTHORIZED_GRANT)
        throw new ProtocolError(
          400,
          'unsupported_grant_type',
          'only the pre-authorized code grant is served here',
        );
      const code = param('pre-authorized_code');
      if (!code) throw new ProtocolError(400, 'invalid_request', 'pre-authorized_code is required');
      const txCode = param('tx_code') ?? param('user_pin'); // draft 13 wallets may still say user_pin

      // RFC 9449 §5: a DPoP proof at the token endpoint binds the token to its key.
      let jkt: string | undefined;
      const dpop = request.headers.dpop;
      if (dpop === undefined && deps.dpopRequired)
        throw new ProtocolError(400, 'invalid_dpop_proof', 'a DPoP proof is required (HAIP)');
      if (dpop !== undefined) {
        if (typeof dpop !== 'string' || dpop.includes(','))
          throw new ProtocolError(400, 'invalid_dpop_proof', 'exactly one DPoP proof is allowed');
        try {
          jkt = await deps.dpop.verify({ proof: dpop, method: 'POST', url: `${issuer}${TOKEN_PATH}` });
        } catch (error) {
          // At the token endpoint the error is a plain 400 (RFC 9449 §5), not a 401 challenge.
          if (error instanceof ProtocolError) throw new ProtocolError(400, error.error, error.description);
          throw error;
        }
      }

      const offer = await deps.offers.redeem(code, txCode);
      if (!offer)
        throw invalidGrant('the pre-authorized code or transaction code is invalid, used or expired');

      const scopes: string[] = [];
      const authorizationDetails = [];
      for (const id of offer.configurationIds) {
        const configuration = await deps.configurations.get(id);
        if (!configuration) continue;
        scopes.push(configuration.scope);
        authorizationDetails.push({
          type: 'openid_credential',
          credential_configuration_id: id,
          credential_identifiers: [id],
        });
      }
      if (authorizationDetails.length === 0)
        throw invalidGrant('the offered credentials are no longer available');
      const now = Math.floor(Date.now() / 1000);
      const accessToken = await signCompactJws(
        deps.signingKey,
        { typ: 'at+jwt' },
        {
          iss: issuer,
          aud: issuer,
          sub: offer.subject ?? `offer:${offer.id}`,
          // RFC 9068 §2.2 wants a client_id; the pre-authorized grant is anonymous (§6.1).
          client_id:
            typeof body.client_id === 'string'
              ? `wallet:${body.client_id.slice(0, 100)}`
              : 'wallet:anonymous',
          scope: scopes.join(' '),
          authorization_details: authorizationDetails,
          offer_id: offer.id,
          iat: now,
          exp: now + deps.accessTokenTtl,
          jti: randomUUID(),
          ...(jkt ? { cnf: { jkt } } : {}),
        },
      );
      return reply
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .send({
          access_token: accessToken,
          token_type: jkt ? 'DPoP' : 'Bearer',
          expires_in: deps.accessTokenTtl,
          authorization_details: authorizationDetails,
          // Draft 13 wallets take their first c_nonce from the token response (draft 13 §6.2).
          c_nonce: deps.nonces.issue(),
          c_nonce_expires_in: deps.nonceTtl,
        });
    });
  });
}
