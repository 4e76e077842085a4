import {
  createRemoteJWKSet,
  decodeJwt,
  errors,
  type JWTPayload,
  jwtVerify,
  type RemoteJWKSetOptions,
} from 'jose';
import { ProtocolError } from '../platform/errors.js';
import { discoverJwksUri } from './authorization-server.js';

/** Asymmetric JWS algorithms an access token may use (RFC 9068 §4: never `none`; no shared secrets here). */
const TOKEN_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'RS256'];

export interface AccessToken {
  /** The authorization server that issued it. */
  issuer: string;
  /** The person: their individual ID in the registry (system contract). */
  subject: string;
  scopes: ReadonlySet<string>;
  clientId?: string;
  payload: JWTPayload;
}

/** RFC 6750 §3 challenge; quotes and backslashes cannot appear in our fixed descriptions. */
function invalidToken(description: string): ProtocolError {
  return new ProtocolError(401, 'invalid_token', description, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${description}"`,
  });
}

export function insufficientScope(scope: string): ProtocolError {
  return new ProtocolError(403, 'insufficient_scope', `the access token lacks scope ${scope}`, {
    'www-authenticate': `Bearer error="insufficient_scope", error_description="scope ${scope} required", scope="${scope}"`,
  });
}

/** RFC 6750 §3.1: a request without credentials gets a bare challenge, with no error code. */
export class MissingTokenError extends Error {
  constructor() {
    super('no access token');
    this.name = 'MissingTokenError';
  }
}

/**
 * Verifies JWT access tokens (RFC 9068) from the configured authorization servers — ours or any
 * other that publishes its metadata and a JWKS. Each server's metadata is discovered once and its
 * JWKS kept by jose's remote key set (imported keys cached; refetched on an unknown `kid` after
 * the cooldown), so the hot path parses no keys.
 */
export class AccessTokenVerifier {
  private readonly keySets = new Map<string, Promise<ReturnType<typeof createRemoteJWKSet>>>();
  private readonly trusted: ReadonlySet<string>;

  constructor(
    authorizationServers: readonly string[],
    private readonly audience: string,
    /** jose's remote JWKS options; the default cooldown (30 s) bounds refetches caused by unknown `kid`s. */
    private readonly jwksOptions: RemoteJWKSetOptions = {},
  ) {
    this.trusted = new Set(authorizationServers);
  }

  /** The Bearer token of an Authorization header (RFC 6750 §2.1); never from the query or body. */
  static bearer(header: string | undefined): string {
    if (!header) throw new MissingTokenError();
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (!match) {
      if (/^Bearer\b/i.test(header)) throw invalidToken('malformed Authorization header');
      throw new MissingTokenError(); // another scheme: we only speak Bearer
    }
    return match[1] as string;
  }

  async verify(token: string): Promise<AccessToken> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw invalidToken('access token is not a JWT');
    }
    const issuer = unverified.iss;
    if (typeof issuer !== 'string' || !this.trusted.has(issuer)) {
      throw invalidToken('access token issuer is not trusted');
    }
    const keys = await this.keySet(issuer);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: TOKEN_ALGORITHMS,
        typ: 'at+jwt', // RFC 9068 §4; jose also accepts application/at+jwt
        issuer,
        audience: this.audience,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw invalidToken(describe(error));
    }
    // A DPoP-bound token (RFC 9449 §6) presented as a plain Bearer token must be refused (§7.1).
    if (typeof payload.cnf === 'object' && payload.cnf !== null && 'jkt' in payload.cnf) {
      throw invalidToken('DPoP-bound access token presented as Bearer');
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0)
      throw invalidToken('access token has no subject');
    const scope = typeof payload.scope === 'string' ? payload.scope : '';
    return {
      issuer,
      subject: payload.sub,
      scopes: new Set(scope.split(' ').filter(Boolean)),
      clientId: typeof payload.client_id === 'string' ? payload.client_id : undefined,
      payload,
    };
  }

  private keySet(issuer: string): Promise<ReturnType<typeof createRemoteJWKSet>> {
    let pending = this.keySets.get(issuer);
    if (!pending) {
      pending = discoverJwksUri(issuer).then((uri) => createRemoteJWKSet(uri, this.jwksOptions));
      this.keySets.set(issuer, pending);
      // A failed discovery is retried on the next request, not remembered.
      pending.catch(() => this.keySets.delete(issuer));
    }
    return pending.catch(() => {
      throw new ProtocolError(503, 'temporarily_unavailable', 'authorization server keys unavailable', {
        'retry-after': '5',
      });
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'access token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'access token audience is not this issuer';
    if (error.claim === 'typ') return 'access token typ must be at+jwt';
    if (error.reason === 'missing') return `access token lacks the ${error.claim} claim`;
    return `access token ${error.claim} claim is invalid`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) return 'access token signing key is unknown';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'access token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'access token algorithm not allowed';
  if (error instanceof errors.JWKSTimeout) return 'authorization server keys unavailable';
  return 'access token is invalid';
}
