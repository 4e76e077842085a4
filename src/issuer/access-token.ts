import {
  createRemoteJWKSet,
  decodeJwt,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  type RemoteJWKSetOptions,
} from 'jose';
import { ProtocolError } from '../platform/errors.js';
import { TokenRefused, takesDirectPath, verifyDirect } from './access-token-jws.js';
import { discoverJwksUri } from './authorization-server.js';
import { parseCompactJwt } from './compact-jwt.js';

/** Asymmetric JWS algorithms an access token may use (RFC 9068 §4: never `none`; no shared secrets here). */
const TOKEN_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'RS256'];

export interface AccessToken {
  /** The authorization server that issued it. */
  issuer: string;
  /** The person: their individual ID in the registry (system contract). */
  subject: string;
  scopes: ReadonlySet<string>;
  clientId?: string;
  /** RFC 9449 §6: thumbprint of the key the token is bound to (`cnf.jkt`). */
  jkt?: string;
  payload: JWTPayload;
}

/** Who may collect deferred credentials and send notifications: the token's issuer and subject. */
export function ownerOf(token: AccessToken): string {
  return `${token.issuer} ${token.subject}`;
}

/** RFC 7662 introspection of opaque tokens at one authorization server. */
export interface IntrospectionEndpoint {
  /** The authorization server's issuer identifier (becomes the token's `issuer`). */
  issuer: string;
  endpoint: string;
  clientId: string;
  clientSecret: string;
}

export interface VerifierOptions {
  /** jose's remote JWKS options; the default cooldown (30 s) bounds refetches caused by unknown `kid`s. */
  jwks?: RemoteJWKSetOptions;
  /**
   * ES256 and EdDSA tokens verified with node:crypto (access-token-jws.ts); default on. Off: every
   * token through jose's `jwtVerify` (the tests compare the two).
   */
  nodeCrypto?: boolean;
  /** Issuers whose keys are known locally (the issuer's own token endpoint for the pre-authorized grant). */
  local?: ReadonlyMap<string, JWTVerifyGetKey>;
  /** Where opaque (non-JWT) access tokens are introspected. */
  introspection?: readonly IntrospectionEndpoint[];
}

/** RFC 6750 §3 challenge; quotes and backslashes cannot appear in our fixed descriptions. */
export function invalidToken(description: string): ProtocolError {
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
  private readonly jwksOptions: RemoteJWKSetOptions;

  constructor(
    authorizationServers: readonly string[],
    private readonly audience: string,
    options: RemoteJWKSetOptions | VerifierOptions = {},
  ) {
    const isVerifierOptions =
      'local' in options || 'introspection' in options || 'jwks' in options || 'nodeCrypto' in options;
    this.options = isVerifierOptions
      ? (options as VerifierOptions)
      : { jwks: options as RemoteJWKSetOptions };
    this.jwksOptions = this.options.jwks ?? {};
    this.trusted = new Set([...authorizationServers, ...(this.options.local?.keys() ?? [])]);
  }

  private readonly options: VerifierOptions;

  private get direct(): boolean {
    return this.options.nodeCrypto !== false;
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

  /**
   * Verifies a token presented with `scheme`. A DPoP-bound token (RFC 9449 §6) presented as a
   * plain Bearer token is refused (§7.1); the caller checks the DPoP proof itself.
   */
  async verify(token: string, scheme: 'Bearer' | 'DPoP' = 'Bearer'): Promise<AccessToken> {
    const verified = await this.verifyAny(token);
    if (scheme === 'Bearer' && verified.jkt !== undefined) {
      throw invalidToken('DPoP-bound access token presented as Bearer');
    }
    return verified;
  }

  private async verifyAny(token: string): Promise<AccessToken> {
    const parsed = parseCompactJwt(token);
    let unverified: JWTPayload;
    try {
      unverified = parsed?.payload ?? decodeJwt(token);
    } catch {
      if (this.options.introspection?.length) return this.introspect(token);
      throw invalidToken('access token is not a JWT');
    }
    const issuer = unverified.iss;
    if (typeof issuer !== 'string' || !this.trusted.has(issuer)) {
      throw invalidToken('access token issuer is not trusted');
    }
    const keys = this.options.local?.get(issuer) ?? (await this.keySet(issuer));
    let payload: JWTPayload;
    try {
      payload =
        parsed && this.direct && takesDirectPath(parsed)
          ? await verifyDirect(parsed, keys, {
              issuer,
              audience: this.audience,
              now: Math.floor(Date.now() / 1000),
            })
          : (
              await jwtVerify(token, keys, {
                algorithms: TOKEN_ALGORITHMS,
                typ: 'at+jwt', // RFC 9068 §4; jose also accepts application/at+jwt
                issuer,
                audience: this.audience,
                requiredClaims: ['exp', 'sub'],
              })
            ).payload;
    } catch (error) {
      throw invalidToken(error instanceof TokenRefused ? error.message : describe(error));
    }
    return toAccessToken(issuer, payload);
  }

  /** RFC 7662: the authorization server says whether the opaque token is active and what it grants. */
  private async introspect(token: string): Promise<AccessToken> {
    for (const endpoint of this.options.introspection ?? []) {
      let body: JWTPayload;
      try {
        const response = await fetch(endpoint.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
            authorization: `Basic ${Buffer.from(
              `${encodeURIComponent(endpoint.clientId)}:${encodeURIComponent(endpoint.clientSecret)}`,
            ).toString('base64')}`,
          },
          body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
          redirect: 'error',
          signal: AbortSignal.timeout(5000),
        });
        if (!response.ok) continue;
        body = (await response.json()) as JWTPayload;
      } catch {
        continue;
      }
      if (body?.active !== true) continue;
      const now = Math.floor(Date.now() / 1000);
      if (typeof body.exp === 'number' && body.exp <= now) throw invalidToken('access token expired');
      const audience = Array.isArray(body.aud) ? body.aud : body.aud ? [body.aud] : [];
      if (audience.length > 0 && !audience.includes(this.audience))
        throw invalidToken('access token audience is not this issuer');
      return toAccessToken(endpoint.issuer, body);
    }
    throw invalidToken('access token is not active');
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

function toAccessToken(issuer: string, payload: JWTPayload): AccessToken {
  if (typeof payload.sub !== 'string' || payload.sub.length === 0)
    throw invalidToken('access token has no subject');
  const scope = typeof payload.scope === 'string' ? payload.scope : '';
  const cnf = payload.cnf as { jkt?: unknown } | undefined;
  return {
    issuer,
    subject: payload.sub,
    scopes: new Set(scope.split(' ').filter(Boolean)),
    clientId: typeof payload.client_id === 'string' ? payload.client_id : undefined,
    jkt: typeof cnf === 'object' && cnf !== null && typeof cnf.jkt === 'string' ? cnf.jkt : undefined,
    payload,
  };
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
