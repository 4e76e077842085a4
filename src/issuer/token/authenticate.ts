import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProtocolError } from '../../platform/errors.js';
import { type AccessToken, type AccessTokenVerifier, invalidToken } from '../access-token.js';
import { type DpopVerifier, invalidDpopProof } from '../dpop/verify.js';
import { DPOP_ALGS } from '../vocabulary.js';

const CREDENTIALS = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i;

export interface Authenticator {
  tokens: AccessTokenVerifier;
  dpop: DpopVerifier;
  /** The issuer's public URL: the `htu` of a DPoP proof is this plus the path. */
  publicUrl: string;
}

/** RFC 6750 §3.1 / RFC 9449 §7.1: no credentials → a bare challenge for both schemes, no error code. */
export const CHALLENGE = `Bearer, DPoP algs="${DPOP_ALGS.join(' ')}"`;

function challenge(reply: FastifyReply): FastifyReply {
  return reply.status(401).header('www-authenticate', CHALLENGE).header('cache-control', 'no-store').send();
}

/**
 * Authenticates a resource request (credential, deferred, notification endpoints): the access
 * token from the Authorization header only (RFC 6750 §2.1; never from the query string), and for the DPoP scheme a valid DPoP proof
 * for this request and this token (RFC 9449 §7). Resolves to undefined after sending a challenge.
 */
export async function authenticate(
  auth: Authenticator,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<AccessToken | undefined> {
  // RFC 6750 §2.3 (query) is not a method we accept: a token only there leaves the request
  // unauthenticated (bare challenge); a token there as well as in the header is two methods (§3.1).
  const query = request.query as Record<string, unknown> | undefined;
  const inQuery = typeof query === 'object' && query !== null && 'access_token' in query;
  const header = request.headers.authorization;
  if (!header) return void challenge(reply);
  if (inQuery) throw new ProtocolError(400, 'invalid_request', 'access token sent by more than one method');
  const match = CREDENTIALS.exec(header);
  if (!match) {
    if (/^(Bearer|DPoP)\b/i.test(header)) throw invalidToken('malformed Authorization header');
    return void challenge(reply);
  }
  const scheme = (match[1] as string).toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  const raw = match[2] as string;
  const token = await auth.tokens.verify(raw, scheme);
  if (scheme === 'DPoP') {
    const proof = request.headers.dpop;
    if (typeof proof !== 'string' || proof.length === 0 || proof.includes(','))
      throw invalidDpopProof('exactly one DPoP proof is required');
    const path = request.url.split('?')[0] as string;
    await auth.dpop.verify({
      proof,
      method: request.method,
      url: `${auth.publicUrl}${path}`,
      accessToken: raw,
      expectedJkt: token.jkt,
    });
  }
  return token;
}
