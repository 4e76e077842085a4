import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { ProtocolError } from '../platform/errors.js';
import { type AccessToken, type AccessTokenVerifier, invalidToken } from './access-token.js';
import { type DpopVerifier, invalidDpopProof } from './dpop/verify.js';

/**
 * A further check on a token whose signature, audience, lifetime and DPoP binding already hold — the
 * seam for grant revocation (a grant authz revoked must stop its tokens here). Throw `invalidToken(…)`
 * to refuse; runs on every protected request, so it must answer from memory when nothing is revoked.
 */
export type TokenCheck = (token: AccessToken, request: FastifyRequest) => void | Promise<void>;

export interface AccessGuard {
  tokens: AccessTokenVerifier;
  dpop: DpopVerifier;
  /** The issuer's public URL: the `htu` of a DPoP proof is this plus the path. */
  publicUrl: string;
  /** HAIP mode: a Bearer token is refused, only DPoP-bound tokens are accepted (HAIP 1.0 §4). */
  dpopRequired?: boolean;
  /** Run in order after every other check; the first to throw refuses the request. */
  checks?: readonly TokenCheck[];
}

const CREDENTIALS = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** RFC 6750 §3.1 / RFC 9449 §7.1: no credentials → a bare challenge for both schemes, no error code. */
function challenge(guard: AccessGuard, reply: FastifyReply): FastifyReply {
  const dpop = `DPoP algs="${guard.dpop.algs.join(' ')}"`;
  return reply
    .status(401)
    .header('www-authenticate', guard.dpopRequired ? dpop : `Bearer, ${dpop}`)
    .header('cache-control', 'no-store')
    .send();
}

/**
 * The access token of a resource request, from the Authorization header only (RFC 6750 §2.1; never
 * from the query string), with a valid DPoP proof for this request and this token when the scheme
 * is DPoP (RFC 9449 §7), then the configured checks. Resolves to undefined after sending a challenge.
 */
async function authenticate(
  guard: AccessGuard,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<AccessToken | undefined> {
  // RFC 6750 §2.3 (query) is not a method we accept: a token only there leaves the request
  // unauthenticated (bare challenge); a token there as well as in the header is two methods (§3.1).
  const query = request.query as Record<string, unknown> | undefined;
  const inQuery = typeof query === 'object' && query !== null && 'access_token' in query;
  const header = request.headers.authorization;
  if (!header) return void challenge(guard, reply);
  if (inQuery) throw new ProtocolError(400, 'invalid_request', 'access token sent by more than one method');
  const match = CREDENTIALS.exec(header);
  if (!match) {
    if (/^(Bearer|DPoP)\b/i.test(header)) throw invalidToken('malformed Authorization header');
    return void challenge(guard, reply);
  }
  const scheme = (match[1] as string).toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  const raw = match[2] as string;
  // RFC 9449 §7.1: where DPoP is required, a Bearer request gets a DPoP challenge with invalid_token.
  if (scheme === 'Bearer' && guard.dpopRequired)
    throw new ProtocolError(401, 'invalid_token', 'a DPoP-bound access token is required (HAIP)', {
      'www-authenticate': `DPoP error="invalid_token", algs="${guard.dpop.algs.join(' ')}"`,
    });
  const token = await guard.tokens.verify(raw, scheme);
  if (scheme === 'DPoP') {
    const proof = request.headers.dpop;
    if (typeof proof !== 'string' || proof.length === 0 || proof.includes(','))
      throw invalidDpopProof('exactly one DPoP proof is required', guard.dpop.algs);
    const path = request.url.split('?')[0] as string;
    await guard.dpop.verify({
      proof,
      method: request.method,
      url: `${guard.publicUrl}${path}`,
      accessToken: raw,
      expectedJkt: token.jkt,
    });
  }
  for (const check of guard.checks ?? []) await check(token, request);
  return token;
}

const verified = new WeakMap<FastifyRequest, AccessToken>();

/**
 * The `onRequest` hook of every protected endpoint (credential, deferred, notification): the token is
 * checked before the body is even read, so an unauthenticated caller learns nothing and costs no parsing.
 */
export function requireAccessToken(guard: AccessGuard): onRequestAsyncHookHandler {
  return async (request, reply) => {
    const token = await authenticate(guard, request, reply);
    if (token) verified.set(request, token);
  };
}

/** The verified access token of a request that passed `requireAccessToken`. */
export function accessTokenOf(request: FastifyRequest): AccessToken {
  const token = verified.get(request);
  if (!token) throw new Error('accessTokenOf: the route is not guarded by requireAccessToken');
  return token;
}
